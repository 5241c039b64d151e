-- The policies of the tables keyed by list compare each row with the transaction's list first.
--
-- Every one of them read the caller's lists (or, for values, the caller's live fields) once per
-- statement, an InitPlan calling owner_list_ids(): measured at 1M, that fixed cost made the
-- smallest statements 2-4x slower as the app role than as the owning role (#12 asks 1.15x).
--
-- Now the app names the request's list with its owner at the start of each transaction:
-- set_transaction() below sets app.list_id only when that list is the caller's and live,
-- read under the lists' own policy; and a row is visible when its list is that one:
--   list_id = current_list() OR array_position(owner_list_ids(), list_id) IS NOT NULL
-- The first arm reads a setting, no table, and is true for every row the app's statements
-- read, so the second never runs for them; it keeps a session that names only its owner
-- (psql as the app role) seeing exactly its lists' rows, as before, at a call per row (such a
-- session names its list too to read a big one quickly). The OR is estimated at about 0.995
-- of the rows (the IS NOT NULL of an expression without statistics), so the query's own
-- conditions still decide the estimates (0018). Written so, no policy holds a subquery, which
-- Citus refuses on a distributed table (#13, rule 6); one server adds one on two tables (below).
--
-- Measured at 1M, as the app role against the owning role (interleaved, three rounds): read
-- per row, the setting's read and cast cost walks that read thousands of rows 1.3-2.5x
-- (rare_x_rare 2.46x, sort_rating_rare_filter 2.07x, filtered facets 1.32x); read once per
-- statement in a subquery (an InitPlan), 1.0-1.2x, but each subquery is planned with every
-- statement that reads its table, which costs small statements about as much (newest_page
-- 1.46-1.49x either way). So on one server the two tables read in walks, videos and
-- video_field_values, read the list once per statement, and the small tables per row:
-- newest_page 1.22x, the walks 1.02-1.17x. Where the citus extension is installed, every
-- table reads it per row. tenant_policies_apply() writes either.
--
-- app.list_id is trusted as app.owner is: the app role may set either by hand in psql, and
-- the app sets the list only through set_transaction(), which checks it in the database.
-- What changes: a deleted field's values were hidden by their field's policy; now they are
-- visible, in their list only, until their purge deletes them (the API never shows them: its
-- reads go through the live fields, and writing one is refused by refuse_purged_fields).
-- depends: 0031_list_policies_without_subqueries

CREATE FUNCTION current_list() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('app.list_id', true), '')::uuid;
COMMENT ON FUNCTION current_list() IS
    'The list this transaction works in (the transaction-local setting app.list_id, set by '
    'set_transaction() once the list is known to be the caller''s), or NULL.';

DO $$
BEGIN
    -- The list is read qualified with the migration's schema, as in 0016: a session's
    -- temporary bookmark_lists must not decide which list it may enter.
    EXECUTE format($f$
        CREATE FUNCTION set_transaction(setting_names text[], setting_values text[], list uuid)
            RETURNS uuid
            LANGUAGE plpgsql
            AS $body$
        BEGIN
            PERFORM set_config(s.name, s.value, true)
            FROM unnest(setting_names, setting_values) AS s(name, value);
            -- After app.owner: the lists' policy shows only the caller's live lists.
            PERFORM set_config('app.list_id',
                coalesce((SELECT l.id::text FROM %1$I.bookmark_lists AS l WHERE l.id = list),
                         ''), true);
            RETURN current_list();
        END
            $body$
    $f$, current_schema());
END
$$;
COMMENT ON FUNCTION set_transaction(text[], text[], uuid) IS
    'Starts a transaction of the app: sets each named setting (app.owner: who is calling) for '
    'this transaction only, then app.list_id to `list` when it is one of the caller''s live '
    'lists (else to none). Returns the list entered, or NULL.';

CREATE FUNCTION tenant_policies_apply(for_citus boolean DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    tenant_table text;
    by_list text;
    -- current_list() and current_purging() written out: inlining a function is planning work
    -- each custom plan repeats for every table it reads (a search 0.03-0.13 ms at 100k).
    the_list constant text := 'nullif(current_setting(''app.list_id'', true), '''')::uuid';
    purging constant text := 'nullif(current_setting(''app.purging'', true), '''')::uuid';
BEGIN
    for_citus := coalesce(for_citus, EXISTS (SELECT FROM pg_extension WHERE extname = 'citus'));
    FOREACH tenant_table IN ARRAY ARRAY['videos', 'field_schemas', 'schema_fields', 'tags',
        'video_tags', 'list_video_counts', 'video_field_values', 'field_value_counts',
        'custom_fields']
    LOOP
        by_list := format('list_id = %s OR array_position(owner_list_ids(), list_id) IS NOT NULL',
            CASE WHEN NOT for_citus AND tenant_table IN ('videos', 'video_field_values')
                 THEN format('(SELECT %s)', the_list) ELSE the_list END);
        IF tenant_table = 'custom_fields' THEN
            -- A deleted field stays hidden to all but its purge, and the purge of its list.
            EXECUTE format('ALTER POLICY custom_fields_of_owner ON custom_fields '
                'USING ((%s) AND (deleted_at IS NULL OR %s IN (id, list_id))) '
                'WITH CHECK (%s)', by_list, purging, by_list);
        ELSE
            EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)',
                tenant_table || '_of_owner', tenant_table, by_list, by_list);
        END IF;
    END LOOP;
    RETURN CASE WHEN for_citus THEN 'citus' ELSE 'one server' END;
END
$$;
COMMENT ON FUNCTION tenant_policies_apply(boolean) IS
    'Writes the policies of the tables keyed by list (migrations/0032): on one server videos and '
    'video_field_values read the transaction''s list once per statement, in a subquery; for '
    'Citus (for_citus; NULL: whether the citus extension is installed) every table compares '
    'it per row, without one. Run by make migrate; run it again after CREATE EXTENSION citus.';
REVOKE EXECUTE ON FUNCTION tenant_policies_apply(boolean) FROM PUBLIC;
DO $$ BEGIN PERFORM tenant_policies_apply(); END $$;

-- The planner costs the second arm of each policy for every row (100 x cpu_operator_cost by
-- default), though the app's rows never reach it: walks over a list would look dearer than
-- they are under row-level security only.
ALTER FUNCTION owner_list_ids() COST 1;

-- No policy reads the caller's fields any more.
DROP FUNCTION owner_field_ids();
COMMENT ON FUNCTION owner_list_ids() IS
    'The ids of the caller''s lists: bookmark_lists read under its own policy (owner = '
    'current_owner()). The policies of the tables keyed by list call it for a row outside the '
    'transaction''s list (current_list()): never in the app''s statements, which enter theirs.';

-- The purge enters the list it purges, like a request.
CREATE OR REPLACE FUNCTION purge_next_batch(max_rows integer)
    RETURNS TABLE (purge_id bigint, list_id uuid, field_id uuid, rows_purged bigint,
                   finished boolean)
    LANGUAGE plpgsql
    AS $$
DECLARE
    -- More candidates than workers: each one another worker holds is skipped.
    candidates constant integer := 64;
    candidate record;
    job purges;
    target uuid;
    step bigint;
BEGIN
    PERFORM set_config('app.purger', 'on', true);
    FOR candidate IN
        SELECT p.id, p.list_id FROM purges AS p
        WHERE p.field_id IS NOT NULL
           OR NOT EXISTS (SELECT FROM purges AS f
                          WHERE f.list_id = p.list_id AND f.field_id IS NOT NULL)
        ORDER BY p.id
        LIMIT candidates
    LOOP
        SELECT * INTO job FROM purges AS p
        WHERE p.id = candidate.id AND p.list_id = candidate.list_id
          AND (p.field_id IS NOT NULL
               OR NOT EXISTS (SELECT FROM purges AS f
                              WHERE f.list_id = p.list_id AND f.field_id IS NOT NULL))
        FOR UPDATE SKIP LOCKED;
        EXIT WHEN FOUND;
    END LOOP;
    PERFORM set_config('app.purger', '', true);
    IF job.id IS NULL THEN
        RETURN;
    END IF;
    target := coalesce(job.field_id, job.list_id);
    PERFORM set_config('app.owner', job.owner, true);
    PERFORM set_config('app.purging', target::text, true);
    PERFORM set_config('app.list_id', job.list_id::text, true);

    IF job.field_id IS NULL THEN
        step := purge_list_step(job.list_id, max_rows);
    ELSE
        step := purge_field_step(job.list_id, job.field_id, max_rows);
    END IF;

    IF step > 0 THEN
        UPDATE purges AS p
        SET rows_purged = p.rows_purged + step, batches = p.batches + 1,
            last_batch_at = clock_timestamp()
        WHERE p.id = job.id AND p.list_id = job.list_id;
    ELSE
        DELETE FROM purges AS p WHERE p.id = job.id AND p.list_id = job.list_id;
    END IF;
    RETURN QUERY SELECT job.id, job.list_id, job.field_id, step, step = 0;
END
$$;
