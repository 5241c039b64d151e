-- Replicas: where the primary's WAL stands after a write, and how far a streaming replica has
-- replayed it (app/db/replicas.py routes reads with both).

-- name: write_position
-- The primary's WAL insert position, read after COMMIT.
-- It lies at or past the end of the commit record just written, whatever synchronous_commit is
-- (pg_current_wal_lsn() is the write position, which can still be short of it under
-- synchronous_commit = off).
SELECT pg_current_wal_insert_lsn()::text

-- name: replica_state
-- Whether the node is a standby, how far behind it is and whether it has replayed the WAL up to $1.
-- The lag is in seconds (null: unknown), and the replay check is true when $1 is null. Lag as
-- GitLab's load balancer measures it: 0 when all WAL received is replayed (an idle primary
-- sends nothing, and the age of the last replayed transaction would only grow), else that age.
-- Unknown without a WAL receiver (cut off from the primary: "all received is replayed" then
-- proves nothing) and before the first transaction replayed since the standby started.
SELECT pg_is_in_recovery() AS standby,
       CASE WHEN NOT pg_is_in_recovery() OR NOT EXISTS (SELECT FROM pg_stat_wal_receiver)
                THEN NULL
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
       END AS lag_s,
       $1::text IS NULL OR pg_last_wal_replay_lsn() >= $1::text::pg_lsn AS reached
