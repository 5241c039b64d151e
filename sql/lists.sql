-- Bookmark lists: a user's list of videos; deleting one deletes everything in it.

-- name: create
-- Create a list.
INSERT INTO bookmark_lists (name, description)
VALUES ($1, $2)
RETURNING id, name, description, created_at, updated_at;

-- name: get
-- One list by id.
SELECT id, name, description, created_at, updated_at
FROM bookmark_lists
WHERE id = $1;

-- name: list_all
-- Every list, newest first.
SELECT id, name, description, created_at, updated_at
FROM bookmark_lists
ORDER BY created_at DESC, id DESC;

-- name: update
-- Change a list's name and/or description; NULL keeps the current value.
UPDATE bookmark_lists
SET name = coalesce($2, name),
    description = coalesce($3, description)
WHERE id = $1
RETURNING id, name, description, created_at, updated_at;

-- name: delete
-- Delete a list and, by cascade, everything in it.
DELETE FROM bookmark_lists
WHERE id = $1
RETURNING id;
