-- Undo 0010_field_type_multi_select: the label stays (PostgreSQL cannot drop one) and the
-- known types are those of 0008 again; refused while a multi_select field exists.
ALTER TABLE custom_fields DROP CONSTRAINT IF EXISTS custom_fields_known_type;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_known_type CHECK (
    field_type::text IN ('select', 'rating', 'text', 'boolean', 'number', 'date', 'url'));
