-- Undo 0035_options_recent_idx.
DROP INDEX video_field_values_options_recent_idx;
