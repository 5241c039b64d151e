-- Owners: every list belongs to an owner (the `sub` of the caller's token), and row-level
-- security keeps owners apart in the database itself, whatever query the app runs.
--
-- The app logs in as its own role (custom_fields_app by default; app_role_ensure below creates
-- it and grants it DML only) and says who is calling at the start of every transaction:
--   SELECT set_config('app.owner', 'alice', true);   -- or SET LOCAL app.owner = 'alice'
-- Every tenant table has RLS enabled and FORCEd, so even the tables' owner is filtered unless it
-- is a superuser or has BYPASSRLS (migrations and `make psql` run as such an owner).
--
-- Policies look at the list key only: a row is visible when its list is, and a list when its
-- owner is the caller. See app_role_ensure for the one thing this needs to keep index plans.
-- depends: 0014_value_statistics_target

CREATE FUNCTION current_owner() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    -- After a transaction that set it ends, the placeholder reads '' rather than NULL.
    RETURN nullif(current_setting('app.owner', true), '');
COMMENT ON FUNCTION current_owner() IS
    'Who is calling: the transaction-local setting app.owner, or NULL when it is not set (then '
    'every tenant table shows no rows and accepts none).';

-- Lists made before owners existed get '' (no token has an empty sub): nobody sees them until an
-- operator gives them to someone (UPDATE bookmark_lists SET owner = ... WHERE owner = '').
ALTER TABLE bookmark_lists ADD COLUMN owner text NOT NULL DEFAULT '';
ALTER TABLE bookmark_lists ALTER COLUMN owner SET DEFAULT current_owner();
ALTER TABLE bookmark_lists
    ADD CONSTRAINT bookmark_lists_owner_length CHECK (octet_length(owner) <= 255);
COMMENT ON COLUMN bookmark_lists.owner IS
    'Who the list belongs to: the sub of the token that created it (by default the '
    'transaction''s app.owner). Row-level security shows a list, and everything in it, only to '
    'its owner.';

CREATE INDEX bookmark_lists_owner_newest_idx ON bookmark_lists (owner, created_at DESC, id DESC);
COMMENT ON INDEX bookmark_lists_owner_newest_idx IS
    'Serves the caller''s lists newest first, and the row-level security check of every list.';

ALTER TABLE bookmark_lists ENABLE ROW LEVEL SECURITY;
ALTER TABLE bookmark_lists FORCE ROW LEVEL SECURITY;
-- (SELECT current_owner()): evaluated once per statement (an InitPlan), not once per row.
CREATE POLICY bookmark_lists_of_owner ON bookmark_lists
    USING (owner = (SELECT current_owner()))
    WITH CHECK (owner = (SELECT current_owner()));

-- Every other tenant table: visible and writable when its list is. The subquery on
-- bookmark_lists is itself filtered by the policy above, so it reads only the caller's lists.
-- Written as "= ANY (array)", an InitPlan run once per statement: written as "IN (subquery)",
-- a hashed SubPlan the planner gives a default selectivity, and at 1M videos it sorted the
-- 250,000 matches of "Status = inbox" (898 ms) instead of walking the newest ones (7 ms).
DO $$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY['videos', 'custom_fields', 'field_schemas',
        'schema_fields', 'tags', 'video_tags', 'video_field_values', 'list_video_counts']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format(
            'CREATE POLICY %I ON %I '
            'USING (list_id = ANY ((SELECT array_agg(id) FROM bookmark_lists)::uuid[])) '
            'WITH CHECK (list_id = ANY ((SELECT array_agg(id) FROM bookmark_lists)::uuid[]))',
            tenant_table || '_of_owner', tenant_table);
    END LOOP;
END
$$;

-- field_value_counts has no list_id: its rows are visible when their field is.
ALTER TABLE field_value_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE field_value_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY field_value_counts_of_owner ON field_value_counts
    USING (field_id = ANY ((SELECT array_agg(id) FROM custom_fields)::uuid[]))
    WITH CHECK (field_id = ANY ((SELECT array_agg(id) FROM custom_fields)::uuid[]));

-- A view reads its tables with its owner's rights, and a superuser owner bypasses row-level
-- security: these two read with the caller's, so the policies apply through them too.
ALTER VIEW field_fill SET (security_invoker = true);
ALTER VIEW video_field_values_readable SET (security_invoker = true);

-- The app's role: run by `make migrate` after the migrations (app/db/access.py), every time, so a
-- restored database or a new tenant table gets what it needs again.
CREATE FUNCTION app_role_ensure(role_name name, role_password text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    tenant_tables CONSTANT text := 'bookmark_lists, videos, custom_fields, field_schemas, '
        'schema_fields, tags, video_tags, video_field_values, list_video_counts, '
        'field_value_counts';
    role_row pg_roles;
    comparison regprocedure;
BEGIN
    SELECT * INTO role_row FROM pg_roles WHERE rolname = role_name;
    IF NOT FOUND THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE '
                       'NOINHERIT NOREPLICATION PASSWORD %L', role_name, role_password);
    ELSIF role_row.rolsuper OR role_row.rolbypassrls OR role_row.rolcreaterole
          OR role_row.rolcreatedb OR NOT role_row.rolcanlogin THEN
        RAISE EXCEPTION 'the app role % must be a plain LOGIN role: no SUPERUSER, BYPASSRLS, '
                        'CREATEROLE or CREATEDB', role_name;
    END IF;
    IF EXISTS (SELECT FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles
                                                     WHERE rolname = role_name)
                                       AND relnamespace = 'public'::regnamespace) THEN
        RAISE EXCEPTION 'the app role % must own no table: it would bypass row-level security',
                        role_name;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), role_name);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', role_name);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', tenant_tables, role_name);
    EXECUTE format('GRANT SELECT ON field_fill, video_field_values_readable TO %I', role_name);

    -- The leakproof trap: under row-level security PostgreSQL uses a query's condition as an
    -- index condition only if its operator is LEAKPROOF; otherwise it filters the rows the
    -- policy passed. PostgreSQL 15 does not mark numeric comparisons, LIKE / ILIKE (trigram and
    -- prefix searches) or array overlap / containment (multi_select) leakproof, so "Rating >= 4"
    -- would read every value of the field. Audited: none of these raises an error or has a side
    -- effect that depends on a row's value (numeric comparison handles NaN and infinities;
    -- LIKE raises only for a malformed pattern, and our patterns are parameters, never columns;
    -- array comparison of text[] compares text). Only a superuser may mark them; the database
    -- then plans with and without RLS alike. Without one, the app is as safe but slower: say so.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        FOREACH comparison IN ARRAY app_indexed_comparisons() LOOP
            EXECUTE format('ALTER FUNCTION %s LEAKPROOF', comparison);
        END LOOP;
    ELSIF NOT app_comparisons_leakproof() THEN
        RAISE WARNING 'numeric, LIKE and array comparisons are not marked LEAKPROOF: under '
                      'row-level security their searches cannot use their indexes. A superuser '
                      'fixes it by running: SELECT app_role_ensure(%L, NULL);', role_name;
    END IF;
END
$$;
COMMENT ON FUNCTION app_role_ensure(name, text) IS
    'Creates the app''s login role when missing (refuses one that could bypass row-level '
    'security), grants it DML on the tenant tables only, and marks the comparisons its index '
    'conditions use LEAKPROOF (superuser only). Idempotent; run by make migrate.';

CREATE FUNCTION app_indexed_comparisons() RETURNS regprocedure[]
    LANGUAGE sql IMMUTABLE
    RETURN ARRAY['numeric_eq(numeric, numeric)', 'numeric_ne(numeric, numeric)',
                 'numeric_lt(numeric, numeric)', 'numeric_le(numeric, numeric)',
                 'numeric_gt(numeric, numeric)', 'numeric_ge(numeric, numeric)',
                 'textlike(text, text)', 'texticlike(text, text)',
                 'arrayoverlap(anyarray, anyarray)', 'arraycontains(anyarray, anyarray)'
                ]::regprocedure[];
COMMENT ON FUNCTION app_indexed_comparisons() IS
    'The built-in comparisons the search''s index conditions use that PostgreSQL 15 does not '
    'mark LEAKPROOF (see app_role_ensure).';

CREATE FUNCTION app_comparisons_leakproof() RETURNS boolean
    LANGUAGE sql STABLE
    RETURN (SELECT bool_and(proleakproof) FROM pg_proc
            WHERE oid = ANY (app_indexed_comparisons()::oid[]));
COMMENT ON FUNCTION app_comparisons_leakproof() IS
    'True when every comparison in app_indexed_comparisons() is LEAKPROOF, so row-level '
    'security keeps the search''s index plans.';
