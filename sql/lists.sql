-- Bookmark lists: a user's list of videos; deleting one deletes everything in it.

-- name: create
-- Create a list belonging to the caller ($1: row-level security refuses any other owner).
INSERT INTO bookmark_lists (owner, name, description)
VALUES ($1, $2, $3)
RETURNING id, name, description, created_at, updated_at;

-- name: get
-- One list by id.
SELECT id, name, description, created_at, updated_at
FROM bookmark_lists
WHERE id = $1;

-- name: list_all
-- The caller's lists, newest first (bookmark_lists_owner_newest_idx). Row-level security
-- would hide the others' anyway; the app scopes by owner too.
SELECT id, name, description, created_at, updated_at
FROM bookmark_lists
WHERE owner = $1
ORDER BY created_at DESC, id DESC;

-- name: update
-- Change a list's name and/or description; NULL keeps the current value.
UPDATE bookmark_lists
SET name = coalesce($2, name),
    description = coalesce($3, description)
WHERE id = $1
RETURNING id, name, description, created_at, updated_at;

-- name: lock_values
-- First step of deleting a list: lock every value of its videos, FOR UPDATE in key order (the
-- order set_many writes in), before the cascade locks its videos and fields. A value write that
-- holds some of them makes the delete wait before it holds any video or field, so the write's
-- foreign key checks pass and it commits; a later write waits here and then fails its checks.
-- Without this, the cascade waits for the write while the write waits for a video or a field.
SELECT count(*) FROM (
    SELECT fv.video_id, fv.field_id
    FROM videos AS v
    JOIN video_field_values AS fv ON fv.video_id = v.id
    WHERE v.list_id = $1
    ORDER BY fv.video_id, fv.field_id
    FOR UPDATE OF fv
) AS locked;

-- name: lock_video_tags
-- Second step of deleting a list, for the same reason: set_video_tags deletes tag links of a
-- video and then checks the video and the tags with its foreign keys.
SELECT count(*) FROM (
    SELECT vt.video_id, vt.tag_id
    FROM videos AS v
    JOIN video_tags AS vt ON vt.video_id = v.id
    WHERE v.list_id = $1
    ORDER BY vt.video_id, vt.tag_id
    FOR UPDATE OF vt
) AS locked;

-- name: lock_schemas
-- Third step of deleting a list: replace_fields locks its schema (touch), deletes the schema's
-- field rows and then checks the fields it puts back with its foreign keys; waiting for the
-- schema here, before the cascade holds any field, keeps the two from deadlocking.
SELECT count(*) FROM (
    SELECT id
    FROM field_schemas
    WHERE list_id = $1
    ORDER BY id
    FOR UPDATE
) AS locked;

-- name: delete
-- Delete a list and, by cascade, everything in it.
DELETE FROM bookmark_lists
WHERE id = $1
RETURNING id;
