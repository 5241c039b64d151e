-- Custom fields: the fields a list defines for its videos (select, rating, text, boolean).

-- name: create
-- Define a field in a list.
INSERT INTO custom_fields (list_id, name, field_type, config)
VALUES ($1, $2, $3, $4)
RETURNING id, list_id, name, field_type, config, created_at, updated_at;

-- name: get
-- One field of a list.
SELECT id, list_id, name, field_type, config, created_at, updated_at
FROM custom_fields
WHERE list_id = $1 AND id = $2;

-- name: list_by_list
-- A list's fields, by name.
SELECT id, list_id, name, field_type, config, created_at, updated_at
FROM custom_fields
WHERE list_id = $1
ORDER BY lower(name), id;

-- name: get_many
-- The fields of a list among the given ids (to check search conditions and value batches).
SELECT id, list_id, name, field_type, config, created_at, updated_at
FROM custom_fields
WHERE list_id = $1 AND id = ANY($2::uuid[]);

-- name: fill_of_fields
-- How many videos hold a value of each given field, and how many the list has: the kept
-- counts (field_fill), not the rows.
SELECT field_id, filled, videos
FROM field_fill
WHERE list_id = $1 AND field_id = ANY($2::uuid[]);

-- name: update
-- Rename a field, change its type or its config; NULL keeps the current value.
UPDATE custom_fields
SET name = coalesce($3, name),
    field_type = coalesce($4, field_type),
    config = coalesce($5, config)
WHERE list_id = $1 AND id = $2
RETURNING id, list_id, name, field_type, config, created_at, updated_at;

-- name: lock_values
-- First step of deleting a field: lock the values its cascade will delete, FOR UPDATE in key
-- order (the order set_many writes in), before the field row. A value write that holds some of
-- them makes the delete wait before it holds the field, so the write's foreign key check and
-- FOR SHARE on the field pass and it commits; a later write waits here and then fails its
-- foreign key check. Without this, the cascade waits for the write while the write waits for
-- the field. The three IS NOT NULL (one of them holds for every row) let the planner read the
-- field's rows from the partial value indexes (a BitmapOr) instead of the whole table.
SELECT count(*) FROM (
    SELECT video_id, field_id
    FROM video_field_values
    WHERE list_id = $1 AND field_id = $2
      AND (value_numeric IS NOT NULL OR value_text IS NOT NULL OR value_boolean IS NOT NULL)
    ORDER BY video_id, field_id
    FOR UPDATE
) AS locked;

-- name: lock_schema_places
-- Second step of deleting a field, for the same reason as lock_values: replace_fields deletes
-- the schema's field rows and then checks the fields it puts back with its foreign keys.
SELECT count(*) FROM (
    SELECT schema_id, field_id
    FROM schema_fields
    WHERE list_id = $1 AND field_id = $2
    ORDER BY schema_id, field_id
    FOR UPDATE
) AS locked;

-- name: delete
-- Delete a field with its values and its places in schemas.
DELETE FROM custom_fields
WHERE list_id = $1 AND id = $2
RETURNING id;
