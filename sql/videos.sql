-- Videos: the bookmarked YouTube videos of a list.

-- name: create
-- Add a video to a list.
INSERT INTO videos (list_id, youtube_id, title)
VALUES ($1, $2, $3)
RETURNING id, list_id, youtube_id, title, created_at, updated_at;

-- name: get
-- One video of a list.
SELECT id, list_id, youtube_id, title, created_at, updated_at
FROM videos
WHERE list_id = $1 AND id = $2;

-- name: newest_first_page
-- The first page of a list's videos, newest first (videos_list_newest_idx).
SELECT id, list_id, youtube_id, title, created_at, updated_at
FROM videos
WHERE list_id = $1
ORDER BY created_at DESC, id DESC
LIMIT $2;

-- name: newest_after
-- The next page of a list's videos after the keyset cursor (created_at, id).
SELECT id, list_id, youtube_id, title, created_at, updated_at
FROM videos
WHERE list_id = $1 AND (created_at, id) < ($3, $4)
ORDER BY created_at DESC, id DESC
LIMIT $2;

-- name: update
-- Change a video's youtube_id and/or title; NULL keeps the current value.
UPDATE videos
SET youtube_id = coalesce($3, youtube_id),
    title = coalesce($4, title)
WHERE list_id = $1 AND id = $2
RETURNING id, list_id, youtube_id, title, created_at, updated_at;

-- name: delete
-- Delete a video with its values and tags.
DELETE FROM videos
WHERE list_id = $1 AND id = $2
RETURNING id;
