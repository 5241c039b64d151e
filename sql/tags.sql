-- Tags: labels on a list's videos; a tag's schema gives its videos that schema's fields.

-- name: create
-- Create a tag, optionally with a schema.
INSERT INTO tags (list_id, name, schema_id)
VALUES ($1, $2, $3)
RETURNING id, list_id, name, schema_id, created_at, updated_at;

-- name: get
-- One tag of a list.
SELECT id, list_id, name, schema_id, created_at, updated_at
FROM tags
WHERE list_id = $1 AND id = $2;

-- name: list_by_list
-- A list's tags, by name.
SELECT id, list_id, name, schema_id, created_at, updated_at
FROM tags
WHERE list_id = $1
ORDER BY lower(name), id;

-- name: update
-- Rename a tag ($3 NULL keeps it) and, when $4 is true, set its schema to $5 (NULL clears it).
UPDATE tags
SET name = coalesce($3, name),
    schema_id = CASE WHEN $4 THEN $5 ELSE schema_id END
WHERE list_id = $1 AND id = $2
RETURNING id, list_id, name, schema_id, created_at, updated_at;

-- name: delete
-- Delete a tag; its videos lose it.
DELETE FROM tags
WHERE list_id = $1 AND id = $2
RETURNING id;

-- name: of_video
-- The tags of a video, by name.
SELECT t.id, t.list_id, t.name, t.schema_id, t.created_at, t.updated_at
FROM video_tags AS vt
JOIN tags AS t ON t.id = vt.tag_id AND t.list_id = vt.list_id
WHERE vt.list_id = $1 AND vt.video_id = $2
ORDER BY lower(t.name), t.id;

-- name: remove_video_tags_except
-- Take from a video every tag not in the given set (first half of set_video_tags).
DELETE FROM video_tags
WHERE list_id = $1 AND video_id = $2 AND tag_id <> ALL($3::uuid[]);

-- name: add_video_tags
-- Give a video the given tags it does not have yet; foreign keys refuse another list's.
INSERT INTO video_tags (list_id, video_id, tag_id)
SELECT $1, $2, tag_id
FROM unnest($3::uuid[]) AS tag_id
ORDER BY tag_id
ON CONFLICT (video_id, tag_id, list_id) DO NOTHING;

-- name: ids_in_list
-- Which of the given tag ids are tags of list $1 (to name the one a foreign key refused).
SELECT id FROM tags WHERE list_id = $1 AND id = ANY($2::uuid[]);
