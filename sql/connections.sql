-- Connections: what the pool asks of a connection it opens or gives back (app/db/pool.py).

-- name: backend_pid
-- The server process that answers, to tell it from the one a pooler announced at connect.
SELECT pg_backend_pid();

-- name: end_transaction
-- Ends a transaction a request left open, before its connection goes back to the pool.
ROLLBACK;
