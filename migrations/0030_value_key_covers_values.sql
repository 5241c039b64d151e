-- The value table's primary key carries each row's scalar value (#11, #9): a probe by (video,
-- field, list) answers from the index alone, with no read of the row. Every condition checked
-- video by video (a newest-first walk probing each video: "Rating > 3", "Status <> done", "is
-- not empty") and the filtered facets (the values of each matching video) read the key and then
-- the row for its value; the row was the larger part of each probe (filtered facets at 1M, 5,046
-- videos x 3 fields: 26 -> 19 ms). The value columns are INCLUDE columns, not keys: uniqueness,
-- the upsert's ON CONFLICT (video_id, field_id, list_id) and the key's order are unchanged, and
-- an update already rewrote the key's entry (a value index holds the changed column, so no
-- update is HOT). value_options stays out: up to 200 options of 200 characters do not fit a
-- btree entry (2,704 bytes); value_text does (at most 2,048 bytes, video_field_values_text_size).
-- depends: 0029_purges_by_list

ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_pkey,
    ADD CONSTRAINT video_field_values_pkey PRIMARY KEY (video_id, field_id, list_id)
        INCLUDE (field_type, value_text, value_numeric, value_boolean, value_date);
COMMENT ON INDEX video_field_values_pkey IS
    'One value per (video, field) (a video is in one list); list_id last for Citus. Carries the '
    'scalar value columns, so each condition''s probe, "the values of a video" and the filtered '
    'facets read no row (a multi_select''s options are in the row). Serves the upsert''s ON '
    'CONFLICT.';
