-- Undo 0008_field_types_date_url: the labels stay (PostgreSQL cannot drop one) and the known
-- types are those of 0006 again; refused while a date or url field exists.
ALTER TABLE custom_fields DROP CONSTRAINT IF EXISTS custom_fields_known_type;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_known_type CHECK (
    field_type::text IN ('select', 'rating', 'text', 'boolean', 'number'));
