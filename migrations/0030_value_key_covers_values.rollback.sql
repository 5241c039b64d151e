-- Undo 0030_value_key_covers_values: the value table's primary key without the values.
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_pkey,
    ADD CONSTRAINT video_field_values_pkey PRIMARY KEY (video_id, field_id, list_id);
COMMENT ON INDEX video_field_values_pkey IS
    'One value per (video, field) (a video is in one list); list_id last for Citus. Serves '
    '"the values of a video", each condition''s probe and the upsert''s ON CONFLICT.';
