-- Back to 0038's policies: only videos and values read the list once per statement.

CREATE OR REPLACE FUNCTION tenant_policies_apply(for_citus boolean DEFAULT NULL) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    tenant_table text;
    by_list text;
    -- current_list() and current_purging() written out: inlining a function is planning work
    -- each custom plan repeats for every table it reads (a search 0.03-0.13 ms at 100k).
    the_list constant text := 'CASE WHEN current_setting(''app.owner'', true) <> '''' '
        'THEN nullif(current_setting(''app.list_id'', true), '''')::uuid END';
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
DO $$ BEGIN PERFORM tenant_policies_apply(); END $$;
