-- Purges: deleted lists and fields whose rows are removed in the background, one short batch
-- per transaction (migrations/0017_purges.sql holds the steps).

-- name: batch_settings
-- Sets a purge batch's transaction to commit asynchronously and to compress its full-page images.
-- This transaction's commit does not wait for its WAL to reach disk: a purge batch writes
-- megabytes of it, and other writers' commits queued behind its flushes (make bench at 1M:
-- waits on LWLock:WALWrite 0.002 -> 0.119 sessions while a list was purged). A crash can lose
-- the last batches only; their rows are still there, and the next worker deletes them. And its
-- full-page images are compressed (lz4 where the server has it), where the app's role may set
-- wal_compression (migrations/0024): 4-7x less WAL, measured at 1M.
SELECT set_config('synchronous_commit', 'off', true),
       (SELECT set_config('wal_compression',
                          CASE WHEN 'lz4' = ANY(s.enumvals) THEN 'lz4' ELSE 'pglz' END, true)
        FROM pg_settings AS s
        WHERE s.name = 'wal_compression' AND has_parameter_privilege('wal_compression', 'SET'));

-- name: next_batch
-- Run one batch, about $1 rows, of the oldest purge no other worker is running.
-- No row when there is nothing to do.
SELECT purge_id, list_id, field_id, rows_purged, finished
FROM purge_next_batch($1);

-- name: backlog
-- Every owner's pending purges in sum: how many, the rows estimated and purged so far.
-- It also says since when the oldest waits.
SELECT pending, rows_estimated, rows_purged, oldest
FROM purge_backlog();
