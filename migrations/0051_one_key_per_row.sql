-- The primary keys of videos, custom_fields, field_schemas and tags hold list_id since 0020 and
-- 0021, (id, list_id), so 0001's UNIQUE (list_id, id) beside each was the same key twice: an
-- index every insert and every purge batch wrote for nothing. PostgreSQL matches a foreign key
-- to a unique index whatever the order of its columns, so the keys that referenced those pairs
-- are made again, unchanged, and now rest on the primary keys.
-- A row also stays in the list it was made in: an UPDATE of list_id is refused (before, a psql
-- UPDATE could move a video or field without values into a deleted list, which
-- refuse_purged_lists checks on INSERT only; Citus refuses to change a distribution column).
-- The indexes behind constraints get the comment every other index has, and two comments
-- written before 0010's types say them all.
-- depends: 0050_options_order_by_creation

ALTER TABLE schema_fields
    DROP CONSTRAINT schema_fields_field_fkey,
    DROP CONSTRAINT schema_fields_schema_fkey;
ALTER TABLE field_value_counts DROP CONSTRAINT field_value_counts_field_fkey;
ALTER TABLE tags DROP CONSTRAINT tags_schema_fkey;
ALTER TABLE video_tags
    DROP CONSTRAINT video_tags_tag_fkey,
    DROP CONSTRAINT video_tags_video_fkey;

ALTER TABLE videos DROP CONSTRAINT videos_list_id_id_unique;
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_list_id_id_unique;
ALTER TABLE field_schemas DROP CONSTRAINT field_schemas_list_id_id_unique;
ALTER TABLE tags DROP CONSTRAINT tags_list_id_id_unique;

ALTER TABLE schema_fields
    ADD CONSTRAINT schema_fields_field_fkey FOREIGN KEY (list_id, field_id)
        REFERENCES custom_fields (list_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT schema_fields_schema_fkey FOREIGN KEY (list_id, schema_id)
        REFERENCES field_schemas (list_id, id) ON DELETE CASCADE;
ALTER TABLE field_value_counts
    ADD CONSTRAINT field_value_counts_field_fkey FOREIGN KEY (list_id, field_id)
        REFERENCES custom_fields (list_id, id) ON DELETE CASCADE;
-- No action: deleting a schema unsets it on its tags first (0019).
ALTER TABLE tags
    ADD CONSTRAINT tags_schema_fkey FOREIGN KEY (list_id, schema_id)
        REFERENCES field_schemas (list_id, id);
ALTER TABLE video_tags
    ADD CONSTRAINT video_tags_tag_fkey FOREIGN KEY (list_id, tag_id)
        REFERENCES tags (list_id, id) ON DELETE CASCADE,
    ADD CONSTRAINT video_tags_video_fkey FOREIGN KEY (list_id, video_id)
        REFERENCES videos (list_id, id) ON DELETE CASCADE;

CREATE FUNCTION refuse_list_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rule %_list_fixed: a row stays in the list it was made in (list %, not %)',
        TG_TABLE_NAME, OLD.list_id, NEW.list_id
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_list_fixed',
              TABLE = TG_TABLE_NAME, COLUMN = 'list_id';
END
$$;
COMMENT ON FUNCTION refuse_list_change() IS
    'Trigger: refuses an UPDATE that moves a row to another list (rule <table>_list_fixed).';

DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY ARRAY['videos', 'custom_fields', 'field_schemas', 'schema_fields',
                                 'tags', 'video_tags', 'video_field_values']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF list_id ON %I FOR EACH ROW '
                       'WHEN (OLD.list_id IS DISTINCT FROM NEW.list_id) '
                       'EXECUTE FUNCTION refuse_list_change()',
                       child || '_list_fixed', child);
    END LOOP;
END
$$;

COMMENT ON INDEX bookmark_lists_pkey IS
    'A list by id: every request''s list, and the key of every table''s list_id.';
COMMENT ON INDEX videos_pkey IS
    'A video by id in its list, with its created_at (videos.get, the probes of a search, '
    'fields_of_video, the purge''s batches); the key of video_tags_video_fkey.';
COMMENT ON INDEX videos_youtube_id_unique IS
    'A youtube_id once per list (the 409 of a duplicate).';
COMMENT ON INDEX custom_fields_pkey IS
    'A field by id in its list (custom_fields.get, the value rules, search''s field lookup); '
    'the key of schema_fields_field_fkey and field_value_counts_field_fkey.';
COMMENT ON INDEX custom_fields_list_id_id_type_unique IS
    'The key of video_field_values_field_fkey: a value sits in its field''s list and type column.';
COMMENT ON INDEX field_schemas_pkey IS
    'A schema by id in its list; the key of schema_fields_schema_fkey and tags_schema_fkey.';
COMMENT ON INDEX schema_fields_pkey IS
    'A field once per schema; a schema''s fields (field_schemas.with_fields, fields_of_video).';
COMMENT ON INDEX tags_pkey IS
    'A tag by id in its list; the key of video_tags_tag_fkey.';
COMMENT ON INDEX video_tags_pkey IS
    'A tag once per video; a video''s tags (tags.of_video, fields_of_video, set_video_tags).';
COMMENT ON INDEX field_value_counts_key IS
    'One kept count per (field, value, slot): the counts trigger''s upsert; facets and '
    'search read the counts.';
COMMENT ON INDEX list_video_counts_pkey IS
    'One kept video count per (list, slot): the counts trigger''s upsert; facets and search '
    'read the total.';
COMMENT ON INDEX purges_pkey IS
    'A purge by id (the purger''s steps).';
COMMENT ON INDEX purges_one_per_target IS
    'One purge per list or field: deleting it again finds the one queued.';

COMMENT ON TABLE custom_fields IS
    'A field a list defines for its videos. config depends on field_type (README, "Field '
    'types"): rating {"max_rating": 1..10}, select and multi_select {"options": [...]} '
    '(multi_select also "max_selected"), text {"max_length": n}, number {"min", "max", '
    '"decimals"}, date {"min", "max"}, all optional but max_rating and options; boolean and '
    'url {}.';
COMMENT ON COLUMN video_field_values.value_text IS
    'The value of a select field (one of its options), a text field (non-blank, at most '
    'max_length characters) or a url field (an absolute http or https URL).';
