-- Undoes 0015_owners: no owners, no row-level security. The app's role stays (roles belong to
-- the cluster, not the database); its grants go with the tables they name if those are dropped.

DO $$
DECLARE
    comparison regprocedure;
BEGIN
    -- Back to PostgreSQL's own marking, when we may change it.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        FOREACH comparison IN ARRAY app_indexed_comparisons() LOOP
            EXECUTE format('ALTER FUNCTION %s NOT LEAKPROOF', comparison);
        END LOOP;
    END IF;
END
$$;
DROP FUNCTION app_comparisons_leakproof();
DROP FUNCTION app_role_ensure(name, text);
DROP FUNCTION app_indexed_comparisons();

DO $$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY['bookmark_lists', 'videos', 'custom_fields',
        'field_schemas', 'schema_fields', 'tags', 'video_tags', 'video_field_values',
        'list_video_counts', 'field_value_counts']
    LOOP
        EXECUTE format('DROP POLICY %I ON %I', tenant_table || '_of_owner', tenant_table);
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', tenant_table);
    END LOOP;
END
$$;

ALTER VIEW field_fill RESET (security_invoker);
ALTER VIEW video_field_values_readable RESET (security_invoker);

DROP INDEX bookmark_lists_owner_newest_idx;
ALTER TABLE bookmark_lists DROP COLUMN owner;
DROP FUNCTION current_owner();
