-- Undo 0029_purges_by_list: the worker takes a purge in one locking read, as in 0028, and the
-- queue's key is its id alone.

CREATE OR REPLACE FUNCTION purge_next_batch(max_rows integer)
    RETURNS TABLE (purge_id bigint, list_id uuid, field_id uuid, rows_purged bigint,
                   finished boolean)
    LANGUAGE plpgsql
    AS $$
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
        step := purge_field_step(job.list_id, job.field_id, max_rows);
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

ALTER TABLE purges DROP CONSTRAINT purges_pkey;
ALTER TABLE purges ADD CONSTRAINT purges_pkey PRIMARY KEY (id);
