-- Undo 0026_values_keyed_by_list: the value table's primary key without list_id.
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_pkey,
    ADD CONSTRAINT video_field_values_pkey PRIMARY KEY (video_id, field_id);
COMMENT ON INDEX video_field_values_pkey IS
    'One value per (video, field); serves "the values of a video" and the upsert''s ON CONFLICT.';
