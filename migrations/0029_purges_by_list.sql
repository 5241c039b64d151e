-- The purge queue can be distributed by list like every other tenant table (#13, Citus).
--
-- `purges` was to stay a table of the coordinator, because the worker took the next purge of
-- any list with one `FOR UPDATE SKIP LOCKED`, which Citus allows in single-shard queries only.
-- But the triggers that mark a list or field deleted queue its purge there (queue_purge), and
-- under Citus a trigger runs on its row's shard, where a coordinator's table does not exist:
-- the one trigger that broke rule 5. Distributed by list_id and co-located, the queue row lands
-- on the shard of the list it names, beside the row that queued it.
--
-- So the worker now takes a purge in two steps: it reads the oldest candidates without a lock
-- (a read across lists, which Citus runs on every shard), then locks one of them in its own
-- list (one shard), skipping those another worker holds, and checks again that a list purge
-- waits for its fields'. Two workers still never run a batch of the same purge at once (the
-- lock), and the oldest purge no one holds still goes first (the candidates in order).
-- The primary key holds list_id (rule 1); the statements that touch one purge name its list.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0028_purges_name_their_list

ALTER TABLE purges DROP CONSTRAINT purges_pkey;
ALTER TABLE purges ADD CONSTRAINT purges_pkey PRIMARY KEY (id, list_id);

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
