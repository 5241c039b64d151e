-- Undo 0006_field_type_number. PostgreSQL cannot drop an enum label, so the label stays and
-- custom_fields_known_type refuses it: adding the narrower CHECK fails while a number field
-- exists (delete those fields first; nothing is lost silently).
ALTER TABLE custom_fields DROP CONSTRAINT IF EXISTS custom_fields_known_type;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_known_type CHECK (
    field_type::text IN ('select', 'rating', 'text', 'boolean'));
