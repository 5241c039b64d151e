-- Undo 0032_policies_by_the_requests_list: the policies of 0018, the purge of 0029.
DO $$
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION owner_field_ids() RETURNS uuid[]
            LANGUAGE plpgsql STABLE PARALLEL SAFE
            AS 'BEGIN RETURN (SELECT array_agg(id) FROM %1$I.custom_fields
                              WHERE list_id = ANY (%1$I.owner_list_ids())); END'
    $f$, current_schema());
END
$$;

DO $$
DECLARE
    tenant_table text;
    by_list constant text := 'array_position((SELECT owner_list_ids()), list_id) IS NOT NULL';
    by_field constant text := 'array_position((SELECT owner_field_ids()), field_id) IS NOT NULL';
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

COMMENT ON FUNCTION owner_list_ids() IS
    'The ids of the caller''s lists: bookmark_lists read under its own policy (owner = '
    'current_owner()). Every tenant table''s policy but two asks it.';
COMMENT ON FUNCTION owner_field_ids() IS
    'The ids of the caller''s custom fields (custom_fields under its policy): the policy of '
    'video_field_values and field_value_counts, whose indexes lead with field_id.';
ALTER FUNCTION owner_list_ids() COST 100;
DROP FUNCTION tenant_policies_apply(boolean);
DROP FUNCTION set_transaction(text[], text[], uuid);
DROP FUNCTION current_list();

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
