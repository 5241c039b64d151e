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

-- name: lock_values
-- First step of deleting a video: lock the values its cascade will delete.
-- They are locked FOR UPDATE in key order (the order set_many writes in), before the video row.
-- A value write that holds some of them makes the delete wait before it holds the video, so the
-- write's foreign key check on the video passes and it commits. A later write waits here and
-- then fails its foreign key check. Without this, the cascade waits for the write while the
-- write's check waits for the video.
SELECT count(*) FROM (
    SELECT video_id, field_id
    FROM video_field_values
    WHERE list_id = $1 AND video_id = $2
    ORDER BY video_id, field_id
    FOR UPDATE
) AS locked;

-- name: lock_tags
-- Second step of deleting a video: lock its tag links.
-- For the same reason as lock_values: set_video_tags deletes tag links of the video and then
-- checks the video with its foreign keys.
SELECT count(*) FROM (
    SELECT video_id, tag_id
    FROM video_tags
    WHERE list_id = $1 AND video_id = $2
    ORDER BY video_id, tag_id
    FOR UPDATE
) AS locked;

-- name: delete
-- Delete a video with its values and tags.
DELETE FROM videos
WHERE list_id = $1 AND id = $2
RETURNING id;
