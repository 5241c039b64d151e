-- Undo 0028_purges_name_their_list: the purge's steps as in 0017.

CREATE OR REPLACE FUNCTION purge_list_step(list uuid, max_rows integer) RETURNS bigint
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = auto AS $$
DECLARE
    videos_per_batch integer;
    batch uuid[];
    done bigint := 0;
    step bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM bookmark_lists WHERE id = list AND deleted_at IS NOT NULL) THEN
        RETURN 0;  -- gone already, or alive: nothing to purge
    END IF;
    -- A video carries at most one value per field, and its tag links.
    SELECT greatest(1, max_rows / (2 + count(*))) INTO videos_per_batch
    FROM custom_fields WHERE list_id = list;
    batch := ARRAY(SELECT id FROM videos WHERE list_id = list LIMIT videos_per_batch);
    IF cardinality(batch) > 0 THEN
        DELETE FROM video_field_values WHERE video_id = ANY (batch);
        GET DIAGNOSTICS step = ROW_COUNT;
        done := done + step;
        DELETE FROM video_tags WHERE video_id = ANY (batch);
        GET DIAGNOSTICS step = ROW_COUNT;
        done := done + step;
        DELETE FROM videos WHERE id = ANY (batch);
        GET DIAGNOSTICS step = ROW_COUNT;
        RETURN done + step;
    END IF;
    DELETE FROM tags WHERE id = ANY (ARRAY(SELECT id FROM tags WHERE list_id = list LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM schema_fields AS sf
    USING (SELECT f.schema_id, f.field_id
           FROM field_schemas AS s JOIN schema_fields AS f ON f.schema_id = s.id
           WHERE s.list_id = list LIMIT max_rows) AS doomed
    WHERE sf.schema_id = doomed.schema_id AND sf.field_id = doomed.field_id;
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM field_schemas
    WHERE id = ANY (ARRAY(SELECT id FROM field_schemas WHERE list_id = list LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    -- Their counts go by cascade; no value is left.
    DELETE FROM custom_fields
    WHERE id = ANY (ARRAY(SELECT id FROM custom_fields WHERE list_id = list LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM list_video_counts WHERE list_id = list;
    DELETE FROM bookmark_lists WHERE id = list AND deleted_at IS NOT NULL;
    GET DIAGNOSTICS step = ROW_COUNT;
    RETURN step;
END
$$;

DROP FUNCTION purge_field_step(uuid, uuid, integer);
CREATE FUNCTION purge_field_step(field uuid, max_rows integer) RETURNS bigint
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = auto AS $$
DECLARE
    type_of field_type;
    step bigint;
BEGIN
    SELECT f.field_type INTO type_of FROM custom_fields AS f
    WHERE f.id = field AND f.deleted_at IS NOT NULL;
    IF NOT FOUND THEN
        RETURN 0;  -- gone already (perhaps with its list), or alive: nothing to purge
    END IF;
    -- ctid: the rows just read, without a join the planner could turn into a scan.
    DELETE FROM video_field_values
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM video_field_values
                            WHERE field_id = field AND field_type = type_of LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM schema_fields WHERE field_id = field;
    GET DIAGNOSTICS step = ROW_COUNT;
    DELETE FROM custom_fields WHERE id = field AND deleted_at IS NOT NULL;
    RETURN step + CASE WHEN FOUND THEN 1 ELSE 0 END;
END
$$;
COMMENT ON FUNCTION purge_field_step(uuid, integer) IS
    'One batch of the purge of a deleted field (about max_rows rows); 0 when nothing is left.';

CREATE OR REPLACE FUNCTION purge_next_batch(max_rows integer)
RETURNS TABLE (purge_id bigint, list_id uuid, field_id uuid, rows_purged bigint, finished boolean)
LANGUAGE plpgsql AS $$
DECLARE
    job purges;
    target uuid;
    step bigint;
BEGIN
    PERFORM set_config('app.purger', 'on', true);
    SELECT * INTO job FROM purges AS p
    WHERE p.field_id IS NOT NULL
       OR NOT EXISTS (SELECT FROM purges AS f
                      WHERE f.list_id = p.list_id AND f.field_id IS NOT NULL)
    ORDER BY p.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED;
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
        step := purge_field_step(job.field_id, max_rows);
    END IF;

    IF step > 0 THEN
        UPDATE purges AS p
        SET rows_purged = p.rows_purged + step, batches = p.batches + 1,
            last_batch_at = clock_timestamp()
        WHERE p.id = job.id;
    ELSE
        DELETE FROM purges AS p WHERE p.id = job.id;
    END IF;
    RETURN QUERY SELECT job.id, job.list_id, job.field_id, step, step = 0;
END
$$;
