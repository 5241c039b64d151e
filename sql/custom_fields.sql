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

-- name: update
-- Rename a field, change its type or its config; NULL keeps the current value.
UPDATE custom_fields
SET name = coalesce($3, name),
    field_type = coalesce($4, field_type),
    config = coalesce($5, config)
WHERE list_id = $1 AND id = $2
RETURNING id, list_id, name, field_type, config, created_at, updated_at;

-- name: delete
-- Delete a field with its values and its places in schemas.
DELETE FROM custom_fields
WHERE list_id = $1 AND id = $2
RETURNING id;
