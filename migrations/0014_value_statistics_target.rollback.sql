-- Undo 0014_value_statistics_target: the default statistics target again.
ALTER STATISTICS video_field_values_numeric_by_field SET STATISTICS -1;
ALTER STATISTICS video_field_values_date_by_field SET STATISTICS -1;
ANALYZE video_field_values;
