-- Purges: deleted lists and fields whose rows are removed in the background, one short batch
-- per transaction (migrations/0017_purges.sql holds the steps).

-- name: next_batch
-- Run one batch, about $1 rows, of the oldest purge no other worker is running; no row when
-- there is nothing to do.
SELECT purge_id, list_id, field_id, rows_purged, finished
FROM purge_next_batch($1);

-- name: backlog
-- Every owner's pending purges in sum: how many, the rows estimated and purged so far, and
-- since when the oldest waits.
SELECT pending, rows_estimated, rows_purged, oldest
FROM purge_backlog();
