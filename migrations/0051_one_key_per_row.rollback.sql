-- Undo 0051_one_key_per_row: 0001's UNIQUE (list_id, id) again, the foreign keys on them, rows
-- free to change list, and the comments as they were.
DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY ARRAY['videos', 'custom_fields', 'field_schemas', 'schema_fields',
                                 'tags', 'video_tags', 'video_field_values']
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', child || '_list_fixed', child);
    END LOOP;
END
$$;
DROP FUNCTION refuse_list_change();

ALTER TABLE schema_fields
    DROP CONSTRAINT schema_fields_field_fkey,
    DROP CONSTRAINT schema_fields_schema_fkey;
ALTER TABLE field_value_counts DROP CONSTRAINT field_value_counts_field_fkey;
ALTER TABLE tags DROP CONSTRAINT tags_schema_fkey;
ALTER TABLE video_tags
    DROP CONSTRAINT video_tags_tag_fkey,
    DROP CONSTRAINT video_tags_video_fkey;

ALTER TABLE videos ADD CONSTRAINT videos_list_id_id_unique UNIQUE (list_id, id);
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_list_id_id_unique UNIQUE (list_id, id);
ALTER TABLE field_schemas ADD CONSTRAINT field_schemas_list_id_id_unique UNIQUE (list_id, id);
ALTER TABLE tags ADD CONSTRAINT tags_list_id_id_unique UNIQUE (list_id, id);
-- A foreign key rests on the first unique index (by oid) of its columns in any order: the
-- primary keys are made again after the unique constraints, so that the keys below rest on
-- these, as before 0051, and the rollbacks of 0040 and 0020 can drop the primary keys.
ALTER TABLE videos DROP CONSTRAINT videos_pkey,
    ADD CONSTRAINT videos_pkey PRIMARY KEY (id, list_id) INCLUDE (created_at);
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_pkey,
    ADD CONSTRAINT custom_fields_pkey PRIMARY KEY (id, list_id);
ALTER TABLE field_schemas DROP CONSTRAINT field_schemas_pkey,
    ADD CONSTRAINT field_schemas_pkey PRIMARY KEY (id, list_id);
ALTER TABLE tags DROP CONSTRAINT tags_pkey,
    ADD CONSTRAINT tags_pkey PRIMARY KEY (id, list_id);

ALTER TABLE schema_fields
    ADD CONSTRAINT schema_fields_field_fkey FOREIGN KEY (list_id, field_id)
        REFERENCES custom_fields (list_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT schema_fields_schema_fkey FOREIGN KEY (list_id, schema_id)
        REFERENCES field_schemas (list_id, id) ON DELETE CASCADE;
ALTER TABLE field_value_counts
    ADD CONSTRAINT field_value_counts_field_fkey FOREIGN KEY (list_id, field_id)
        REFERENCES custom_fields (list_id, id) ON DELETE CASCADE;
ALTER TABLE tags
    ADD CONSTRAINT tags_schema_fkey FOREIGN KEY (list_id, schema_id)
        REFERENCES field_schemas (list_id, id);
ALTER TABLE video_tags
    ADD CONSTRAINT video_tags_tag_fkey FOREIGN KEY (list_id, tag_id)
        REFERENCES tags (list_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT video_tags_video_fkey FOREIGN KEY (list_id, video_id)
        REFERENCES videos (list_id, id) ON DELETE CASCADE;

COMMENT ON INDEX bookmark_lists_pkey IS NULL;
COMMENT ON INDEX videos_pkey IS NULL;
COMMENT ON INDEX videos_youtube_id_unique IS NULL;
COMMENT ON INDEX custom_fields_pkey IS NULL;
COMMENT ON INDEX custom_fields_list_id_id_type_unique IS NULL;
COMMENT ON INDEX field_schemas_pkey IS NULL;
COMMENT ON INDEX schema_fields_pkey IS NULL;
COMMENT ON INDEX tags_pkey IS NULL;
COMMENT ON INDEX video_tags_pkey IS NULL;
COMMENT ON INDEX field_value_counts_key IS NULL;
COMMENT ON INDEX list_video_counts_pkey IS NULL;
COMMENT ON INDEX purges_pkey IS NULL;
COMMENT ON INDEX purges_one_per_target IS NULL;

COMMENT ON TABLE custom_fields IS
    'A field a list defines for its videos. config depends on field_type: rating '
    '{"max_rating": 1..10}, select {"options": ["a", ...]}, text {"max_length": n} (optional), '
    'boolean {}.';
COMMENT ON COLUMN video_field_values.value_text IS
    'The value of a select field (one of its options) or a text field (non-empty, at most '
    'max_length characters).';
