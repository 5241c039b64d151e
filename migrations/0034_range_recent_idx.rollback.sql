-- Undo 0034_range_recent_idx.
DROP INDEX video_field_values_range_recent_idx;
