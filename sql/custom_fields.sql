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
WHERE list_id = $1 AND id = $2 AND deleted_at IS NULL;

-- name: list_by_list
-- A list's fields, by name.
SELECT id, list_id, name, field_type, config, created_at, updated_at
FROM custom_fields
WHERE list_id = $1 AND deleted_at IS NULL
ORDER BY lower(name), id;

-- name: get_many
-- The fields of a list among the given ids (to check search conditions and value batches).
-- With $3 not null and a field found of a type among $4, each statement from here on is
-- planned once for any values (as plans.plan_generically; for the transaction, or the
-- connection when $3 is false): the lookup of a search whose statements plan the same for any
-- values on such a field, so that its switch takes no round trip of its own. It switches once
-- per such field found; with none found the search stops at NotFound.
SELECT id, list_id, name, field_type, config, created_at, updated_at,
       CASE WHEN $3::boolean IS NOT NULL AND field_type = ANY($4::field_type[])
            THEN set_config('plan_cache_mode', 'force_generic_plan', $3::boolean) END
           AS plan_cache_mode
FROM custom_fields
WHERE list_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL;

-- name: fill_of_fields
-- How many videos hold a value of each given field, and how many the list has.
-- Read from the kept counts (field_fill), not the rows.
SELECT field_id, filled, videos
FROM field_fill
WHERE list_id = $1 AND field_id = ANY($2::uuid[]);

-- name: update
-- Rename a field, change its type or its config.
-- NULL keeps the current value, except that a new type without a config starts from {} as a
-- created field does (the old type's config, a rating's max_rating, would not fit it).
UPDATE custom_fields
SET name = coalesce($3, name),
    field_type = coalesce($4, field_type),
    config = coalesce($5, CASE WHEN $4 <> field_type THEN '{}'::jsonb ELSE config END)
WHERE list_id = $1 AND id = $2 AND deleted_at IS NULL
RETURNING id, list_id, name, field_type, config, created_at, updated_at;

-- name: mark_deleted
-- Delete a field at once: mark it deleted.
-- From this commit row-level security hides it (its values are read only through their field),
-- its name is free, and a trigger has queued the purge of its values
-- (migrations/0017_purges.sql). Runs with app.purging set to the field. No row when the list
-- has no such live field.
UPDATE custom_fields
SET deleted_at = statement_timestamp()
WHERE list_id = $1 AND id = $2 AND deleted_at IS NULL
RETURNING id;
