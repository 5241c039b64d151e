-- A multi_select field's values in the order of their videos' creation, each beside its key,
-- as 0034 keeps a number's or date's: a page of a common option ("Topics has topic00", 4% of
-- 1M videos) streams the field's newest values and checks each array from the index alone,
-- instead of walking the whole list and probing every video for the field (4.0 ms at 1M: 1,151
-- videos walked, 5,097 buffers; streamed, 458 values in 12 buffers, 0.43 ms). The options' GIN
-- index (0011) still finds a rare option's few matches; the app chooses by the density among
-- the first values the stream reads.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0034_range_recent_idx

CREATE INDEX video_field_values_options_recent_idx ON video_field_values
    (field_id, list_id, video_created_at, video_id) INCLUDE (value_options)
    WHERE field_type = 'multi_select';
COMMENT ON INDEX video_field_values_options_recent_idx IS
    'Serves a page of many matches of has_any, has_all or has_none on a multi_select field: '
    'the field''s values newest (or oldest) first, each checked from the index alone '
    '(stream_options_open and checked_options_* in sql/video_search.sql).';
