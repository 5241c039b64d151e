-- Bookmark lists: a user's list of videos; deleting one deletes everything in it (marked at
-- once, purged in the background). A deleted list is never read or written here.

-- name: create
-- Create list $1 belonging to the caller ($2: row-level security refuses any other owner).
-- The app makes the id: Citus routes an INSERT by its distribution column before any default
-- would make it.
INSERT INTO bookmark_lists (id, owner, name, description)
VALUES ($1, $2, $3, $4)
RETURNING id, name, description, created_at, updated_at;

-- name: get
-- One list by id.
SELECT id, name, description, created_at, updated_at
FROM bookmark_lists
WHERE id = $1 AND deleted_at IS NULL;

-- name: list_all
-- The caller's lists, newest first (bookmark_lists_owner_newest_idx).
-- Row-level security would hide the others' anyway; the app scopes by owner too.
SELECT id, name, description, created_at, updated_at
FROM bookmark_lists
WHERE owner = $1 AND deleted_at IS NULL
ORDER BY created_at DESC, id DESC;

-- name: update
-- Change a list's name and/or description; NULL keeps the current value.
UPDATE bookmark_lists
SET name = coalesce($2, name),
    description = coalesce($3, description)
WHERE id = $1 AND deleted_at IS NULL
RETURNING id, name, description, created_at, updated_at;

-- name: mark_deleted
-- Delete a list at once: mark it deleted.
-- From this commit row-level security hides it and everything in it, and a trigger has queued
-- its purge (migrations/0017_purges.sql). Runs with app.purging set to the list, the one
-- transaction that may still see it. No row when no live list has this id.
UPDATE bookmark_lists
SET deleted_at = statement_timestamp()
WHERE id = $1 AND deleted_at IS NULL
RETURNING id;
