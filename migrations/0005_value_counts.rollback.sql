-- Undo 0005_value_counts.
DROP VIEW field_fill;
DROP TRIGGER video_field_values_count_insert ON video_field_values;
DROP TRIGGER video_field_values_count_update ON video_field_values;
DROP TRIGGER video_field_values_count_delete ON video_field_values;
DROP TRIGGER videos_count_insert ON videos;
DROP TRIGGER videos_count_update ON videos;
DROP TRIGGER videos_count_delete ON videos;
DROP FUNCTION video_field_values_count();
DROP FUNCTION videos_count();
DROP FUNCTION field_value_counts_add(uuid[], field_type[], text[], numeric[], boolean[], integer[]);
DROP FUNCTION list_video_counts_add(uuid[], integer[]);
DROP TABLE field_value_counts;
DROP TABLE list_video_counts;
