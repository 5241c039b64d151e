-- A number or date field's values in the order of their videos' creation, each value beside
-- its key, as 0023 keeps a text field's: a page of a common range ("Minutes >= 300", "Published
-- after 2015") streams the field's newest values and checks each from the index alone, instead
-- of walking the whole list and probing every video for the field (a video walked costs about
-- 4 us, a value read here about 0.3 us, and only the field's values are read). The value
-- indexes (0027) still find a rare range's few matches; the app chooses by the density among
-- the first values the stream reads. Ratings are not in it: a rating's range drives as the
-- values it holds (its kept counts), and the bench's batch of ratings writes no entry here.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0033_value_triggers_by_key

CREATE INDEX video_field_values_range_recent_idx ON video_field_values
    (field_id, list_id, video_created_at, video_id) INCLUDE (value_numeric, value_date)
    WHERE field_type IN ('number', 'date');
COMMENT ON INDEX video_field_values_range_recent_idx IS
    'Serves a page of many matches of a range on a number or date field: the field''s values '
    'newest (or oldest) first, each checked from the index alone (stream_range_open and '
    'checked_* in sql/video_search.sql).';
