-- Undo 0047_field_type_follows_field.
DROP STATISTICS video_field_values_type_by_field;
