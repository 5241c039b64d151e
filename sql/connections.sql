-- Connections: what the pool asks of a connection it opens or gives back (app/db/pool.py).

-- name: backend_pid
-- The server process that answers, to tell it from the one a pooler announced at connect.
SELECT pg_backend_pid();

-- name: end_transaction
-- Ends a transaction a request left open, before its connection goes back to the pool.
ROLLBACK;

-- name: role_skips_row_security
-- Whether the role logged in is one row-level security does not bind (superuser, BYPASSRLS).
-- The app refuses to serve as such a role: the database's half of keeping owners apart would be gone.
SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user;
