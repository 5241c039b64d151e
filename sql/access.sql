-- Access: who is calling, and the app's own role; the two halves of row-level security
-- (migrations/0015_owners.sql).

-- name: set_owner
-- Says who is calling, for this transaction only.
-- Row-level security then shows only their lists and what is in them.
SELECT set_config('app.owner', $1, true)

-- name: set_purging
-- Names the deleted list or field this transaction marks or purges ('' for none).
-- Row-level security shows a deleted object to that transaction only.
SELECT set_config('app.purging', $1, true)

-- name: ensure_app_role
-- Creates the app's login role when missing and grants it DML on the tenant tables.
-- Run as the owning role by make migrate.
SELECT app_role_ensure($1, $2)

-- name: set_transaction
-- Says who is calling, the list the request works in and the app's settings, for this transaction.
-- The caller is '' for nobody and the list NULL for none. The settings are those the app runs
-- under, and all of it holds for this transaction only: through a transaction-pooling
-- PgBouncer, a session setting would reach other clients' transactions, and startup settings
-- are refused (app/db/pool.py). The list is entered only when it is the caller's and live
-- (migrations/0032); row-level security then reads no table to show its rows.
SELECT set_transaction($1::text[], $2::text[], $3::uuid)
