-- Undo 0020_keys_hold_list_id: the primary keys without list_id.
ALTER TABLE video_tags DROP CONSTRAINT video_tags_pkey,
    ADD CONSTRAINT video_tags_pkey PRIMARY KEY (video_id, tag_id);
ALTER TABLE schema_fields DROP CONSTRAINT schema_fields_pkey,
    ADD CONSTRAINT schema_fields_pkey PRIMARY KEY (schema_id, field_id);
ALTER TABLE tags DROP CONSTRAINT tags_pkey,
    ADD CONSTRAINT tags_pkey PRIMARY KEY (id);
ALTER TABLE field_schemas DROP CONSTRAINT field_schemas_pkey,
    ADD CONSTRAINT field_schemas_pkey PRIMARY KEY (id);
ALTER TABLE videos DROP CONSTRAINT videos_pkey,
    ADD CONSTRAINT videos_pkey PRIMARY KEY (id);
