-- Larger MCV lists for (field_id, value_numeric) and (field_id, value_date): each column's own
-- statistics mix every field, so a range on one number or date field was estimated from the
-- others' values. Measured on the 100k bench database, "Minutes >= 300" (14,932 rows):
--   default target (100): estimated 1,166 rows, a hash join over every video, 28 ms;
--   target 1000: estimated 1,960, the walk of the newest videos, 1.4 ms; warm planning
--   0.36-0.5 -> 0.46-0.56 ms;
--   target 10000: estimated exactly, but planning 5 ms (matching 10,000 MCV items).
-- ANALYZE then samples 300,000 rows instead of 30,000.
-- depends: 0013_value_counts_direct

ALTER STATISTICS video_field_values_numeric_by_field SET STATISTICS 1000;
ALTER STATISTICS video_field_values_date_by_field SET STATISTICS 1000;
ANALYZE video_field_values;
