-- Undoes 0017_purges. What is still marked deleted is deleted outright first (one transaction,
-- as before 0017), so nothing deleted comes back when deleted_at goes.

DELETE FROM bookmark_lists WHERE deleted_at IS NOT NULL;
DELETE FROM custom_fields WHERE deleted_at IS NOT NULL;

CREATE OR REPLACE FUNCTION app_role_ensure(role_name name, role_password text) RETURNS void
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

DROP FUNCTION purge_backlog();
DROP FUNCTION purge_next_batch(integer);
DROP FUNCTION purge_field_step(uuid, integer);
DROP FUNCTION purge_list_step(uuid, integer);

DROP TRIGGER video_field_values_refuse_purged_update ON video_field_values;
DROP TRIGGER video_field_values_refuse_purged_insert ON video_field_values;
DROP FUNCTION video_field_values_refuse_purged();
DROP TRIGGER schema_fields_refuse_purged_fields_insert ON schema_fields;
DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY ARRAY['videos', 'custom_fields', 'field_schemas', 'schema_fields',
                                 'tags', 'video_tags']
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', child || '_refuse_purged_lists_insert', child);
    END LOOP;
END
$$;
DROP FUNCTION refuse_purged_fields();
DROP FUNCTION refuse_purged_lists();

DROP TRIGGER custom_fields_queue_purge ON custom_fields;
DROP TRIGGER bookmark_lists_queue_purge ON bookmark_lists;
DROP FUNCTION queue_purge();
DROP TRIGGER custom_fields_deleted_for_good ON custom_fields;
DROP TRIGGER bookmark_lists_deleted_for_good ON bookmark_lists;
DROP FUNCTION refuse_undelete();

DROP TABLE purges;
DROP FUNCTION current_purger();

DROP POLICY custom_fields_of_owner ON custom_fields;
CREATE POLICY custom_fields_of_owner ON custom_fields
    USING (list_id = ANY ((SELECT owner_list_ids())::uuid[]))
    WITH CHECK (list_id = ANY ((SELECT owner_list_ids())::uuid[]));
DROP POLICY bookmark_lists_of_owner ON bookmark_lists;
CREATE POLICY bookmark_lists_of_owner ON bookmark_lists
    USING (owner = (SELECT current_owner()))
    WITH CHECK (owner = (SELECT current_owner()));
DROP FUNCTION current_purging();

DO $$
DECLARE
    type_name text;
BEGIN
    FOREACH type_name IN ARRAY enum_range(NULL::field_type)::text[] LOOP
        EXECUTE format('DROP INDEX %I', 'video_field_values_' || type_name || '_field_idx');
    END LOOP;
END
$$;

DROP INDEX custom_fields_name_unique;
CREATE UNIQUE INDEX custom_fields_name_unique ON custom_fields (list_id, lower(btrim(name)));
COMMENT ON INDEX custom_fields_name_unique IS
    'A field name is unique within its list, ignoring case and surrounding spaces.';

ALTER TABLE custom_fields DROP COLUMN deleted_at;
ALTER TABLE bookmark_lists DROP COLUMN deleted_at;
