-- A text or url field's values in the order of their videos' creation, each value beside its
-- key: a page of "contains" or "starts_with" with many matches reads the field's newest values
-- and checks each (an index-only scan), instead of walking the whole list and probing every
-- video for the field (a video walked cost ~4 us; a value read here ~0.3 us, and only the
-- field's values are read). Measured at 1M (make bench, newest first, 50 a page): url
-- starts_with of 22,000 matches 14 ms (every match read from the prefix index and sorted) ->
-- 0.9 ms; Notes contains "jazz" 5.9 ms (5,000 matches, then the list walk) -> 1.3 ms.
-- The trigram and prefix indexes (0004, 0009) still find few matches fast; the app chooses.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0022_value_sums

CREATE INDEX video_field_values_text_recent_idx ON video_field_values
    (field_id, video_created_at, video_id) INCLUDE (value_text)
    WHERE field_type IN ('text', 'url');
COMMENT ON INDEX video_field_values_text_recent_idx IS
    'Serves a page of many "contains" or "starts_with" matches: a text or url field''s values '
    'newest (or oldest) first, each checked from the index alone (stream_text_* in '
    'sql/video_search.sql).';
