-- Undo 0023_text_recent_idx.
DROP INDEX video_field_values_text_recent_idx;
