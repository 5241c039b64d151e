-- Undo 0016_cheaper_policies: the policies of 0015_owners again.
DO $$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY['videos', 'custom_fields', 'field_schemas',
        'schema_fields', 'tags', 'video_tags', 'video_field_values', 'list_video_counts']
    LOOP
        EXECUTE format(
            'ALTER POLICY %I ON %I '
            'USING (list_id = ANY ((SELECT array_agg(id) FROM bookmark_lists)::uuid[])) '
            'WITH CHECK (list_id = ANY ((SELECT array_agg(id) FROM bookmark_lists)::uuid[]))',
            tenant_table || '_of_owner', tenant_table);
    END LOOP;
END
$$;
ALTER POLICY field_value_counts_of_owner ON field_value_counts
    USING (field_id = ANY ((SELECT array_agg(id) FROM custom_fields)::uuid[]))
    WITH CHECK (field_id = ANY ((SELECT array_agg(id) FROM custom_fields)::uuid[]));
DROP FUNCTION owner_field_ids();
DROP FUNCTION owner_list_ids();
