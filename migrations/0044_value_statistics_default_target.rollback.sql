-- Undo 0044_value_statistics_default_target: 0014's target of 1000 again.
ALTER STATISTICS video_field_values_numeric_by_field SET STATISTICS 1000;
ALTER STATISTICS video_field_values_date_by_field SET STATISTICS 1000;
ANALYZE video_field_values;
