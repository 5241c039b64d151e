-- Undo 0004_text_search. The extension goes too unless something else has come to use it.
DROP INDEX video_field_values_text_prefix_idx;
DROP INDEX video_field_values_text_trgm_idx;
DROP EXTENSION IF EXISTS pg_trgm RESTRICT;
