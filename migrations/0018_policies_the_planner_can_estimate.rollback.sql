-- Undo 0018_policies_the_planner_can_estimate: the policies of 0016 (and 0017's custom_fields).
DO $$
BEGIN
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION owner_field_ids() RETURNS uuid[]
            LANGUAGE plpgsql STABLE PARALLEL SAFE
            AS 'BEGIN RETURN (SELECT array_agg(id) FROM %1$I.custom_fields); END'
    $f$, current_schema());
END
$$;

DO $$
DECLARE
    tenant_table text;
    by_list constant text := 'list_id = ANY ((SELECT owner_list_ids())::uuid[])';
    by_field constant text := 'field_id = ANY ((SELECT owner_field_ids())::uuid[])';
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY['videos', 'field_schemas', 'schema_fields', 'tags',
        'video_tags', 'list_video_counts']
    LOOP
        EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)',
            tenant_table || '_of_owner', tenant_table, by_list, by_list);
    END LOOP;
    FOREACH tenant_table IN ARRAY ARRAY['video_field_values', 'field_value_counts']
    LOOP
        EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)',
            tenant_table || '_of_owner', tenant_table, by_field, by_field);
    END LOOP;
    EXECUTE format('ALTER POLICY custom_fields_of_owner ON custom_fields '
        'USING (%s AND (deleted_at IS NULL OR (SELECT current_purging()) IN (id, list_id))) '
        'WITH CHECK (%s)', by_list, by_list);
END
$$;
