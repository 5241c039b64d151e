-- Search streams: each value row carries its video's created_at, and the value indexes are
-- ordered by it, so "field F = X, newest first" is one ordered index range that a page reads
-- only as far as it needs. A title index serves the sort by title.
-- depends: 0001_initial

-- The newest-first index becomes unique (id alone is unique, so this costs nothing) so that
-- value rows can reference (list_id, id, created_at): the database, not the app, keeps their
-- copy of created_at right.
CREATE UNIQUE INDEX videos_list_newest_unique ON videos (list_id, created_at DESC, id DESC);
DROP INDEX videos_list_newest_idx;
ALTER INDEX videos_list_newest_unique RENAME TO videos_list_newest_idx;
COMMENT ON INDEX videos_list_newest_idx IS
    'Serves a list''s videos newest first (and the created_at sort of the search), keyset-paged; '
    'unique so that video_field_values can reference (list_id, id, created_at).';

CREATE INDEX videos_list_title_idx ON videos (list_id, title, id);
COMMENT ON INDEX videos_list_title_idx IS
    'Serves the search sorted by title, keyset-paged on (title, id).';

ALTER TABLE video_field_values ADD COLUMN video_created_at timestamptz;
COMMENT ON COLUMN video_field_values.video_created_at IS
    'The video''s created_at, filled in when omitted and pinned by video_field_values_video_fkey '
    '(a video''s created_at never changes): orders the value indexes newest first.';

-- The copy fills existing rows without moving their updated_at or rechecking their values.
ALTER TABLE video_field_values DISABLE TRIGGER video_field_values_set_timestamps;
ALTER TABLE video_field_values DISABLE TRIGGER video_field_values_check_rules_update;
UPDATE video_field_values AS fv SET video_created_at = v.created_at
FROM videos AS v WHERE v.id = fv.video_id;
ALTER TABLE video_field_values ENABLE TRIGGER video_field_values_set_timestamps;
ALTER TABLE video_field_values ENABLE TRIGGER video_field_values_check_rules_update;
ALTER TABLE video_field_values ALTER COLUMN video_created_at SET NOT NULL;

-- Rule 3 as before (the video is in the row's list), and now also: the row's video_created_at
-- is its video's created_at.
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_video_fkey;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_video_fkey
    FOREIGN KEY (list_id, video_id, video_created_at)
    REFERENCES videos (list_id, id, created_at) ON DELETE CASCADE;

-- Fills video_created_at from the video, so the short raw INSERT keeps working. The app's writes
-- pass it themselves (taken from the video they lock), so this stays idle for them.
CREATE FUNCTION video_field_values_fill_from_video() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT created_at INTO NEW.video_created_at FROM videos WHERE id = NEW.video_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_video_fkey: video % does not exist', NEW.video_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_video_fkey',
                  TABLE = 'video_field_values', COLUMN = 'video_id',
                  DETAIL = format('Key (video_id)=(%s) is not present in table "videos".',
                                  NEW.video_id);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER video_field_values_fill_from_video
    BEFORE INSERT ON video_field_values
    FOR EACH ROW WHEN (NEW.video_created_at IS NULL)
    EXECUTE FUNCTION video_field_values_fill_from_video();

-- Each value index gains the video's created_at before video_id: an equality on the value is
-- then one range already in newest-first order (read backwards), and a sort by the field's
-- value pages through (value, video_created_at, video_id).
DROP INDEX video_field_values_numeric_idx;
DROP INDEX video_field_values_text_idx;
DROP INDEX video_field_values_boolean_idx;
CREATE INDEX video_field_values_numeric_idx
    ON video_field_values (field_id, value_numeric, video_created_at, video_id)
    WHERE value_numeric IS NOT NULL;
COMMENT ON INDEX video_field_values_numeric_idx IS
    'Serves filters and sorts on a rating field: field_id = F AND value_numeric = X, newest first.';
CREATE INDEX video_field_values_text_idx
    ON video_field_values (field_id, value_text, video_created_at, video_id)
    WHERE value_text IS NOT NULL;
COMMENT ON INDEX video_field_values_text_idx IS
    'Serves filters and sorts on a select or text field: field_id = F AND value_text = X, newest first.';
CREATE INDEX video_field_values_boolean_idx
    ON video_field_values (field_id, value_boolean, video_created_at, video_id)
    WHERE value_boolean IS NOT NULL;
COMMENT ON INDEX video_field_values_boolean_idx IS
    'Serves filters and sorts on a boolean field: field_id = F AND value_boolean = true, newest first.';

-- The planner multiplies the selectivity of field_id by that of the value, as if independent;
-- with values of many fields in one column that is far off ("Status = rewatch" estimated at a
-- fifth of its rows), and a low estimate makes it sort every match instead of reading a
-- stream in order. Joint most-common-value lists per (field, value) fix the estimates.
CREATE STATISTICS video_field_values_numeric_by_field (mcv)
    ON field_id, value_numeric FROM video_field_values;
CREATE STATISTICS video_field_values_text_by_field (mcv)
    ON field_id, value_text FROM video_field_values;
CREATE STATISTICS video_field_values_boolean_by_field (mcv)
    ON field_id, value_boolean FROM video_field_values;
COMMENT ON STATISTICS video_field_values_numeric_by_field IS
    'How often each (field, rating) occurs: estimates for the search''s streams and probes.';
COMMENT ON STATISTICS video_field_values_text_by_field IS
    'How often each (field, select or text value) occurs: estimates for the search.';
COMMENT ON STATISTICS video_field_values_boolean_by_field IS
    'How often each (field, boolean) occurs: estimates for the search.';
