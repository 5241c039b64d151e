-- Field schemas: named groups of a list's fields, in display order, attached to tags.

-- name: create
-- Create a schema (its fields are set by replace_fields).
INSERT INTO field_schemas (list_id, name, description)
VALUES ($1, $2, $3)
RETURNING id;

-- name: with_fields
-- A list's schemas (or only schema $2 when it is not NULL), each with its fields in display order.
SELECT s.id, s.list_id, s.name, s.description, s.created_at, s.updated_at,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                            'field_id', sf.field_id, 'name', f.name, 'field_type', f.field_type,
                            'display_order', sf.display_order, 'show_on_card', sf.show_on_card)
                        ORDER BY sf.display_order, lower(f.name), f.id)
                 FROM schema_fields AS sf
                 JOIN custom_fields AS f
                     ON f.id = sf.field_id AND f.list_id = s.list_id AND f.deleted_at IS NULL
                 WHERE sf.schema_id = s.id AND sf.list_id = s.list_id), '[]') AS fields
FROM field_schemas AS s
WHERE s.list_id = $1 AND ($2::uuid IS NULL OR s.id = $2)
ORDER BY lower(s.name), s.id;

-- name: update
-- Rename a schema or change its description; NULL keeps the current value.
UPDATE field_schemas
SET name = coalesce($3, name),
    description = coalesce($4, description)
WHERE list_id = $1 AND id = $2
RETURNING id;

-- name: touch
-- Move a schema's updated_at when its fields are replaced; also tells whether it exists.
UPDATE field_schemas
SET updated_at = statement_timestamp()
WHERE list_id = $1 AND id = $2
RETURNING id;

-- name: clear_fields
-- Remove every field from a schema (first half of replace_fields).
DELETE FROM schema_fields
WHERE list_id = $1 AND schema_id = $2;

-- name: add_fields
-- Put fields into a schema; the foreign keys refuse a field of another list.
INSERT INTO schema_fields (list_id, schema_id, field_id, display_order, show_on_card)
SELECT $1, $2, f.field_id, f.display_order, f.show_on_card
FROM unnest($3::uuid[], $4::integer[], $5::boolean[]) AS f (field_id, display_order, show_on_card);

-- name: delete
-- Delete a schema; its tags keep existing without a schema.
DELETE FROM field_schemas
WHERE list_id = $1 AND id = $2
RETURNING id;
