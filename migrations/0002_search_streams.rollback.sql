-- Undo 0002_search_streams: the value indexes and the video key as 0001 made them.
DROP STATISTICS video_field_values_numeric_by_field;
DROP STATISTICS video_field_values_text_by_field;
DROP STATISTICS video_field_values_boolean_by_field;
DROP INDEX video_field_values_numeric_idx;
DROP INDEX video_field_values_text_idx;
DROP INDEX video_field_values_boolean_idx;
CREATE INDEX video_field_values_numeric_idx ON video_field_values (field_id, value_numeric, video_id)
    WHERE value_numeric IS NOT NULL;
COMMENT ON INDEX video_field_values_numeric_idx IS
    'Serves filters and sorts on a rating field: field_id = F AND value_numeric >= X.';
CREATE INDEX video_field_values_text_idx ON video_field_values (field_id, value_text, video_id)
    WHERE value_text IS NOT NULL;
COMMENT ON INDEX video_field_values_text_idx IS
    'Serves filters and sorts on a select or text field: field_id = F AND value_text = X.';
CREATE INDEX video_field_values_boolean_idx ON video_field_values (field_id, value_boolean, video_id)
    WHERE value_boolean IS NOT NULL;
COMMENT ON INDEX video_field_values_boolean_idx IS
    'Serves filters on a boolean field: field_id = F AND value_boolean = true.';
DROP TRIGGER video_field_values_fill_from_video ON video_field_values;
DROP FUNCTION video_field_values_fill_from_video();
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_video_fkey;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_video_fkey
    FOREIGN KEY (list_id, video_id) REFERENCES videos (list_id, id) ON DELETE CASCADE;
ALTER TABLE video_field_values DROP COLUMN video_created_at;
DROP INDEX videos_list_title_idx;
CREATE INDEX videos_list_newest_plain ON videos (list_id, created_at DESC, id DESC);
DROP INDEX videos_list_newest_idx;
ALTER INDEX videos_list_newest_plain RENAME TO videos_list_newest_idx;
COMMENT ON INDEX videos_list_newest_idx IS
    'Serves a list''s videos newest first (and the created_at sort of the search), keyset-paged.';
