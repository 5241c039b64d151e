-- Initial schema: bookmark lists, videos, custom fields, field schemas, tags and typed field values.
-- Every rule of the product lives here too, so a raw INSERT typed in psql cannot store a bad row.
-- Constraints are named <table>_<rule>; errors raised by triggers carry such a name as well.
-- depends:

------------------------------------------------------------------------------------------------
-- Shared helpers
------------------------------------------------------------------------------------------------

CREATE FUNCTION set_timestamps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- statement_timestamp(), not now(): two statements of one transaction get distinct times,
    -- so an UPDATE moves updated_at even inside the transaction that inserted the row. The
    -- microsecond covers the statements of one DO block or function, which share one time.
    IF TG_OP = 'UPDATE' THEN
        NEW.created_at := OLD.created_at;
        NEW.updated_at := greatest(statement_timestamp(), OLD.updated_at + interval '1 microsecond');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION set_timestamps() IS
    'Trigger: keeps created_at fixed and moves updated_at on every UPDATE.';

-- btrim(value) alone strips only spaces, so a tab or a line break would pass for a name.
CREATE FUNCTION is_blank(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN btrim(value, E' \t\n\r\f\v') = '';
COMMENT ON FUNCTION is_blank(text) IS
    'True for an empty text or one of only spaces, tabs and line breaks.';

CREATE FUNCTION is_name(value text, max_length integer) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN NOT is_blank(value) AND char_length(value) <= max_length;
COMMENT ON FUNCTION is_name(text, integer) IS
    'True for a non-blank name of at most max_length characters (used by the *_name CHECKs).';

CREATE FUNCTION jsonb_is_integer_between(value jsonb, low integer, high integer) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN jsonb_typeof(value) = 'number'
            THEN value::numeric = trunc(value::numeric) AND value::numeric BETWEEN low AND high
            ELSE false END;
COMMENT ON FUNCTION jsonb_is_integer_between(jsonb, integer, integer) IS
    'True when a JSON value is an integer number within low..high.';

CREATE FUNCTION jsonb_is_option_list(value jsonb) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN jsonb_typeof(value) = 'array'
                THEN jsonb_array_length(value) BETWEEN 1 AND 200
                     AND NOT EXISTS (SELECT FROM jsonb_array_elements(value) AS option
                                     WHERE jsonb_typeof(option) <> 'string'
                                        OR is_blank(option #>> '{}')
                                        OR char_length(option #>> '{}') > 200)
                     AND (SELECT count(DISTINCT option) FROM jsonb_array_elements(value) AS option)
                         = jsonb_array_length(value)
                ELSE false END;
END;
COMMENT ON FUNCTION jsonb_is_option_list(jsonb) IS
    'True for a select field''s options: 1..200 distinct, non-blank strings of at most 200 characters.';

------------------------------------------------------------------------------------------------
-- Lists and videos
------------------------------------------------------------------------------------------------

CREATE TABLE bookmark_lists (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT bookmark_lists_name CHECK (is_name(name, 200)),
    CONSTRAINT bookmark_lists_description_length CHECK (char_length(description) <= 2000)
);
COMMENT ON TABLE bookmark_lists IS
    'A user''s list of bookmarked videos. Everything else belongs to exactly one list, and '
    'deleting a list deletes all of it.';

CREATE TABLE videos (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id    uuid        NOT NULL REFERENCES bookmark_lists (id) ON DELETE CASCADE,
    youtube_id text        NOT NULL,
    title      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT videos_youtube_id_format CHECK (youtube_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    CONSTRAINT videos_title CHECK (is_name(title, 500)),
    CONSTRAINT videos_youtube_id_unique UNIQUE (list_id, youtube_id),
    -- Target of the (list_id, video_id) foreign keys that keep links inside one list.
    CONSTRAINT videos_list_id_id_unique UNIQUE (list_id, id)
);
COMMENT ON TABLE videos IS 'A bookmarked YouTube video; a video id appears at most once per list.';
COMMENT ON COLUMN videos.youtube_id IS 'The YouTube video id (the v= part of the URL).';

-- Serves: a list's videos newest first, with keyset paging on (created_at, id).
CREATE INDEX videos_list_newest_idx ON videos (list_id, created_at DESC, id DESC);
COMMENT ON INDEX videos_list_newest_idx IS
    'Serves a list''s videos newest first (and the created_at sort of the search), keyset-paged.';

------------------------------------------------------------------------------------------------
-- Custom fields
------------------------------------------------------------------------------------------------

CREATE TYPE field_type AS ENUM ('select', 'rating', 'text', 'boolean');
COMMENT ON TYPE field_type IS
    'Kinds of custom field; each stores its values in one column of video_field_values: '
    'rating -> value_numeric, select and text -> value_text, boolean -> value_boolean.';

CREATE TABLE custom_fields (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id    uuid        NOT NULL REFERENCES bookmark_lists (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    field_type field_type  NOT NULL,
    config     jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT custom_fields_name CHECK (is_name(name, 100)),
    CONSTRAINT custom_fields_config_is_object CHECK (jsonb_typeof(config) = 'object'),
    CONSTRAINT custom_fields_rating_config CHECK (
        field_type <> 'rating'
        OR (config - 'max_rating' = '{}' AND jsonb_is_integer_between(config -> 'max_rating', 1, 10))),
    CONSTRAINT custom_fields_select_config CHECK (
        field_type <> 'select'
        OR (config - 'options' = '{}' AND jsonb_is_option_list(config -> 'options'))),
    CONSTRAINT custom_fields_text_config CHECK (
        field_type <> 'text'
        OR (config - 'max_length' = '{}'
            AND (NOT config ? 'max_length'
                 OR jsonb_is_integer_between(config -> 'max_length', 1, 2000)))),
    CONSTRAINT custom_fields_boolean_config CHECK (field_type <> 'boolean' OR config = '{}'),
    -- Targets of the foreign keys that keep schema fields and values inside the field's list;
    -- the second also pins a value row to the field's type.
    CONSTRAINT custom_fields_list_id_id_unique UNIQUE (list_id, id),
    CONSTRAINT custom_fields_list_id_id_type_unique UNIQUE (list_id, id, field_type)
);
COMMENT ON TABLE custom_fields IS
    'A field a list defines for its videos. config depends on field_type: '
    'rating {"max_rating": 1..10}, select {"options": ["a", ...]}, text {"max_length": n} (optional), '
    'boolean {}.';
COMMENT ON COLUMN custom_fields.config IS
    'Type-specific settings, checked by the custom_fields_*_config constraints.';
COMMENT ON COLUMN custom_fields.field_type IS
    'Cannot change while the field has values (custom_fields_type_change_with_values).';

CREATE UNIQUE INDEX custom_fields_name_unique ON custom_fields (list_id, lower(btrim(name)));
COMMENT ON INDEX custom_fields_name_unique IS
    'A field name is unique within its list, ignoring case and surrounding spaces.';

------------------------------------------------------------------------------------------------
-- Field schemas: named, ordered groups of fields
------------------------------------------------------------------------------------------------

CREATE TABLE field_schemas (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id     uuid        NOT NULL REFERENCES bookmark_lists (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT field_schemas_name CHECK (is_name(name, 100)),
    CONSTRAINT field_schemas_description_length CHECK (char_length(description) <= 2000),
    CONSTRAINT field_schemas_list_id_id_unique UNIQUE (list_id, id)
);
COMMENT ON TABLE field_schemas IS
    'A named group of custom fields; tags point at a schema, and a video shows the fields of '
    'its tags'' schemas.';

CREATE UNIQUE INDEX field_schemas_name_unique ON field_schemas (list_id, lower(btrim(name)));
COMMENT ON INDEX field_schemas_name_unique IS
    'A schema name is unique within its list, ignoring case and surrounding spaces.';

CREATE TABLE schema_fields (
    schema_id     uuid        NOT NULL,
    field_id      uuid        NOT NULL,
    list_id       uuid        NOT NULL,
    display_order integer     NOT NULL DEFAULT 0,
    show_on_card  boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT schema_fields_pkey PRIMARY KEY (schema_id, field_id),
    CONSTRAINT schema_fields_schema_fkey FOREIGN KEY (list_id, schema_id)
        REFERENCES field_schemas (list_id, id) ON DELETE CASCADE,
    CONSTRAINT schema_fields_field_fkey FOREIGN KEY (list_id, field_id)
        REFERENCES custom_fields (list_id, id) ON DELETE CASCADE,
    CONSTRAINT schema_fields_display_order CHECK (display_order >= 0)
);
COMMENT ON TABLE schema_fields IS
    'The fields of a field schema, in display_order; a field appears at most once per schema.';
COMMENT ON COLUMN schema_fields.list_id IS
    'The schema''s list, filled in from field_schemas when omitted; the foreign keys on '
    '(list_id, ...) keep the schema and the field in the same list.';
COMMENT ON COLUMN schema_fields.show_on_card IS 'Show this field''s value on the video''s card.';

CREATE INDEX schema_fields_field_idx ON schema_fields (field_id);
COMMENT ON INDEX schema_fields_field_idx IS
    'Serves deleting a custom field (its schema_fields rows go with it).';

------------------------------------------------------------------------------------------------
-- Tags
------------------------------------------------------------------------------------------------

CREATE TABLE tags (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id    uuid        NOT NULL REFERENCES bookmark_lists (id) ON DELETE CASCADE,
    name       text        NOT NULL,
    schema_id  uuid,
    created_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT tags_name CHECK (is_name(name, 100)),
    -- Deleting the schema clears only schema_id (a PostgreSQL 15 column list), never list_id.
    CONSTRAINT tags_schema_fkey FOREIGN KEY (list_id, schema_id)
        REFERENCES field_schemas (list_id, id) ON DELETE SET NULL (schema_id),
    CONSTRAINT tags_list_id_id_unique UNIQUE (list_id, id)
);
COMMENT ON TABLE tags IS 'A label on videos; a tag with a schema gives its videos that schema''s fields.';
COMMENT ON COLUMN tags.schema_id IS 'Optional; set to NULL when the schema is deleted.';

CREATE UNIQUE INDEX tags_name_unique ON tags (list_id, lower(btrim(name)));
COMMENT ON INDEX tags_name_unique IS
    'A tag name is unique within its list, ignoring case and surrounding spaces.';
CREATE INDEX tags_schema_idx ON tags (schema_id) WHERE schema_id IS NOT NULL;
COMMENT ON INDEX tags_schema_idx IS 'Serves deleting a schema (its tags lose schema_id).';

CREATE TABLE video_tags (
    video_id   uuid        NOT NULL,
    tag_id     uuid        NOT NULL,
    list_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT video_tags_pkey PRIMARY KEY (video_id, tag_id),
    CONSTRAINT video_tags_video_fkey FOREIGN KEY (list_id, video_id)
        REFERENCES videos (list_id, id) ON DELETE CASCADE,
    CONSTRAINT video_tags_tag_fkey FOREIGN KEY (list_id, tag_id)
        REFERENCES tags (list_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE video_tags IS 'Which tags a video has. The primary key serves "the tags of a video".';
COMMENT ON COLUMN video_tags.list_id IS
    'The video''s list, filled in from videos when omitted; the foreign keys on (list_id, ...) '
    'keep the video and the tag in the same list.';

CREATE INDEX video_tags_tag_idx ON video_tags (tag_id, video_id);
COMMENT ON INDEX video_tags_tag_idx IS 'Serves "the videos of a tag" and deleting a tag.';

------------------------------------------------------------------------------------------------
-- Field values: one row per (video, field), the value in the column of the field's type
------------------------------------------------------------------------------------------------

CREATE TABLE video_field_values (
    video_id      uuid        NOT NULL,
    field_id      uuid        NOT NULL,
    list_id       uuid        NOT NULL,
    field_type    field_type  NOT NULL,
    value_numeric numeric,
    value_boolean boolean,
    value_text    text,
    created_at    timestamptz NOT NULL DEFAULT statement_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT video_field_values_pkey PRIMARY KEY (video_id, field_id),
    -- Rule 3: the video and the field belong to the list of the row.
    CONSTRAINT video_field_values_video_fkey FOREIGN KEY (list_id, video_id)
        REFERENCES videos (list_id, id) ON DELETE CASCADE,
    -- Rules 3 and 5: the field is of this list and of this type; its type cannot change while
    -- rows point at it (the custom_fields trigger says so first, by name).
    CONSTRAINT video_field_values_field_fkey FOREIGN KEY (list_id, field_id, field_type)
        REFERENCES custom_fields (list_id, id, field_type) ON DELETE CASCADE,
    -- Rule 1.
    CONSTRAINT video_field_values_exactly_one_value
        CHECK (num_nonnulls(value_text, value_numeric, value_boolean) = 1),
    -- Rule 2.
    CONSTRAINT video_field_values_value_matches_type CHECK (
        CASE field_type
            WHEN 'rating' THEN value_numeric IS NOT NULL
            WHEN 'boolean' THEN value_boolean IS NOT NULL
            ELSE value_text IS NOT NULL
        END),
    -- Rule 4, the parts that need no field config; the rest is video_field_values_check_rules().
    CONSTRAINT video_field_values_text_not_empty CHECK (NOT is_blank(value_text)),
    -- Keeps every value_text indexable (a btree entry holds at most ~2.7 kB).
    CONSTRAINT video_field_values_text_size CHECK (octet_length(value_text) <= 2000),
    CONSTRAINT video_field_values_rating_in_range CHECK (value_numeric >= 0)
);
COMMENT ON TABLE video_field_values IS
    'A video''s value for a custom field: at most one row per (video, field), exactly one '
    'value_* column set, the one of the field''s type. A missing value is a missing row.';
COMMENT ON INDEX video_field_values_pkey IS
    'One value per (video, field); serves "the values of a video" and the upsert''s ON CONFLICT.';
COMMENT ON COLUMN video_field_values.list_id IS
    'The field''s list, filled in when omitted; the foreign keys keep video and field in it.';
COMMENT ON COLUMN video_field_values.field_type IS
    'The field''s type, filled in when omitted; pins the row to the one value column of that type.';
COMMENT ON COLUMN video_field_values.value_numeric IS 'The value of a rating field: 0..max_rating.';
COMMENT ON COLUMN video_field_values.value_boolean IS 'The value of a boolean field.';
COMMENT ON COLUMN video_field_values.value_text IS
    'The value of a select field (one of its options) or a text field (non-empty, at most '
    'max_length characters).';

-- One partial index per value column: each row lives in exactly one of them, and each serves
-- "field F's values compared with X" for its type. video_id is a key column so a filter can
-- return video ids from the index alone and a sort by the field's value can be keyset-paged.
CREATE INDEX video_field_values_numeric_idx ON video_field_values (field_id, value_numeric, video_id)
    WHERE value_numeric IS NOT NULL;
COMMENT ON INDEX video_field_values_numeric_idx IS
    'Serves filters and sorts on a rating field: field_id = F AND value_numeric >= X.';
CREATE INDEX video_field_values_text_idx ON video_field_values (field_id, value_text, video_id)
    WHERE value_text IS NOT NULL;
COMMENT ON INDEX video_field_values_text_idx IS
    'Serves filters and sorts on a select or text field: field_id = F AND value_text = X.';
CREATE INDEX video_field_values_boolean_idx ON video_field_values (field_id, value_boolean, video_id)
    WHERE value_boolean IS NOT NULL;
COMMENT ON INDEX video_field_values_boolean_idx IS
    'Serves filters on a boolean field: field_id = F AND value_boolean = true.';

------------------------------------------------------------------------------------------------
-- Triggers: derived columns and the rules that need another table
------------------------------------------------------------------------------------------------

-- Fills list_id (and field_type) on link rows from their parent, so the short raw INSERT
-- INSERT INTO video_field_values (video_id, field_id, value_numeric) VALUES (...) works.
-- The foreign keys then check whatever was filled in or given.
CREATE FUNCTION video_field_values_fill_from_field() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT list_id, field_type INTO NEW.list_id, NEW.field_type
    FROM custom_fields WHERE id = NEW.field_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_field_fkey: custom field % does not exist', NEW.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_field_fkey',
                  TABLE = 'video_field_values', COLUMN = 'field_id';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER video_field_values_fill_from_field
    BEFORE INSERT ON video_field_values
    FOR EACH ROW WHEN (NEW.list_id IS NULL OR NEW.field_type IS NULL)
    EXECUTE FUNCTION video_field_values_fill_from_field();

CREATE FUNCTION schema_fields_fill_list_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT list_id INTO NEW.list_id FROM field_schemas WHERE id = NEW.schema_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule schema_fields_schema_fkey: field schema % does not exist', NEW.schema_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'schema_fields_schema_fkey',
                  TABLE = 'schema_fields', COLUMN = 'schema_id';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER schema_fields_fill_list_id
    BEFORE INSERT ON schema_fields
    FOR EACH ROW WHEN (NEW.list_id IS NULL)
    EXECUTE FUNCTION schema_fields_fill_list_id();

CREATE FUNCTION video_tags_fill_list_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT list_id INTO NEW.list_id FROM videos WHERE id = NEW.video_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_tags_video_fkey: video % does not exist', NEW.video_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_tags_video_fkey',
                  TABLE = 'video_tags', COLUMN = 'video_id';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER video_tags_fill_list_id
    BEFORE INSERT ON video_tags
    FOR EACH ROW WHEN (NEW.list_id IS NULL)
    EXECUTE FUNCTION video_tags_fill_list_id();

-- Rule 4, the parts that depend on the field's config. Returns the name of the broken rule, or NULL.
CREATE FUNCTION field_value_broken_rule(field_type field_type, config jsonb,
                                        value_numeric numeric, value_text text) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE
    WHEN field_type = 'rating' AND value_numeric > (config ->> 'max_rating')::numeric
        THEN 'video_field_values_rating_in_range'
    WHEN field_type = 'select' AND NOT (config -> 'options') ? value_text
        THEN 'video_field_values_select_option'
    WHEN field_type = 'text' AND char_length(value_text) > (config ->> 'max_length')::integer
        THEN 'video_field_values_text_length'
END;
COMMENT ON FUNCTION field_value_broken_rule(field_type, jsonb, numeric, text) IS
    'The rule a value breaks against its field''s config (rating above max_rating, select value '
    'not an option, text longer than max_length), or NULL when it fits.';

CREATE FUNCTION field_value_problem(rule text, field_name text, config jsonb,
                                    value_numeric numeric, value_text text) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE rule
    WHEN 'video_field_values_rating_in_range' THEN format(
        'rating %s for field "%s" is outside 0..%s', value_numeric, field_name, config ->> 'max_rating')
    WHEN 'video_field_values_select_option' THEN format(
        'value %L for field "%s" is not one of its options %s', value_text, field_name, config -> 'options')
    WHEN 'video_field_values_text_length' THEN format(
        'text for field "%s" is %s characters long, more than its max_length %s',
        field_name, char_length(value_text), config ->> 'max_length')
END;
COMMENT ON FUNCTION field_value_problem(text, text, jsonb, numeric, text) IS
    'A person-readable sentence for a rule named by field_value_broken_rule().';

-- Checked once per statement over all new rows: a batch of thousands costs one join, not a
-- function call per row.
CREATE FUNCTION video_field_values_check_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- FOR SHARE makes a concurrent config change of these fields wait for this transaction,
    -- so custom_fields_check_change() sees these values before it accepts a new config.
    PERFORM FROM custom_fields
    WHERE id IN (SELECT field_id FROM new_rows)
    ORDER BY id
    FOR SHARE;

    SELECT * INTO bad
    FROM (SELECT n.video_id, n.field_id, f.name, f.config, n.value_numeric, n.value_text,
                 field_value_broken_rule(f.field_type, f.config, n.value_numeric, n.value_text) AS rule
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id) AS checked
    WHERE rule IS NOT NULL
    LIMIT 1;

    IF FOUND THEN
        RAISE EXCEPTION 'rule %: %', bad.rule,
            field_value_problem(bad.rule, bad.name, bad.config, bad.value_numeric, bad.value_text)
            USING ERRCODE = 'check_violation', CONSTRAINT = bad.rule, TABLE = 'video_field_values',
                  DETAIL = format('field_id=%s video_id=%s', bad.field_id, bad.video_id);
    END IF;
    RETURN NULL;
END
$$;
-- Transition tables allow one event per trigger, hence two triggers on one function.
CREATE TRIGGER video_field_values_check_rules_insert
    AFTER INSERT ON video_field_values
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_check_rules();
CREATE TRIGGER video_field_values_check_rules_update
    AFTER UPDATE ON video_field_values
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_check_rules();

-- Rule 5: a field's type cannot change while it has values, and a new config must still
-- admit every stored value. Each query names its value column so it can use that column's
-- partial index instead of reading the whole table.
CREATE FUNCTION custom_fields_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
    has_values boolean := false;
BEGIN
    IF NEW.field_type IS DISTINCT FROM OLD.field_type THEN
        has_values := CASE OLD.field_type
            WHEN 'rating' THEN EXISTS (SELECT FROM video_field_values
                                       WHERE field_id = OLD.id AND value_numeric IS NOT NULL)
            WHEN 'boolean' THEN EXISTS (SELECT FROM video_field_values
                                        WHERE field_id = OLD.id AND value_boolean IS NOT NULL)
            ELSE EXISTS (SELECT FROM video_field_values
                         WHERE field_id = OLD.id AND value_text IS NOT NULL)
        END;
    END IF;
    IF has_values THEN
        RAISE EXCEPTION 'rule custom_fields_type_change_with_values: field "%" has values, so its type stays %',
            OLD.name, OLD.field_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_type_change_with_values',
                  TABLE = 'custom_fields', COLUMN = 'field_type', DETAIL = format('field_id=%s', OLD.id);
    END IF;

    IF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type THEN
        IF NEW.field_type = 'rating' THEN
            SELECT v.video_id, v.value_numeric, v.value_text INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_numeric IS NOT NULL
              AND v.value_numeric > (NEW.config ->> 'max_rating')::numeric
            LIMIT 1;
        ELSE
            SELECT v.video_id, v.value_numeric, v.value_text INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_text IS NOT NULL
              AND field_value_broken_rule(NEW.field_type, NEW.config, NULL, v.value_text) IS NOT NULL
            LIMIT 1;
        END IF;
        IF FOUND THEN
            RAISE EXCEPTION 'rule custom_fields_config_breaks_values: the new config of field "%" would refuse a stored value: %',
                NEW.name,
                field_value_problem(field_value_broken_rule(NEW.field_type, NEW.config, bad.value_numeric, bad.value_text),
                                    NEW.name, NEW.config, bad.value_numeric, bad.value_text)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_config_breaks_values',
                      TABLE = 'custom_fields', COLUMN = 'config',
                      DETAIL = format('field_id=%s video_id=%s', NEW.id, bad.video_id);
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER custom_fields_check_change
    BEFORE UPDATE OF field_type, config ON custom_fields
    FOR EACH ROW EXECUTE FUNCTION custom_fields_check_change();

CREATE TRIGGER bookmark_lists_set_timestamps BEFORE UPDATE ON bookmark_lists
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER videos_set_timestamps BEFORE UPDATE ON videos
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER custom_fields_set_timestamps BEFORE UPDATE ON custom_fields
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER field_schemas_set_timestamps BEFORE UPDATE ON field_schemas
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER schema_fields_set_timestamps BEFORE UPDATE ON schema_fields
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER tags_set_timestamps BEFORE UPDATE ON tags
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER video_tags_set_timestamps BEFORE UPDATE ON video_tags
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();
CREATE TRIGGER video_field_values_set_timestamps BEFORE UPDATE ON video_field_values
    FOR EACH ROW EXECUTE FUNCTION set_timestamps();

------------------------------------------------------------------------------------------------
-- For psql readers
------------------------------------------------------------------------------------------------

CREATE VIEW video_field_values_readable AS
SELECT l.name AS list_name,
       v.youtube_id,
       v.title AS video_title,
       f.name AS field_name,
       f.field_type,
       coalesce(fv.value_text, fv.value_numeric::text, fv.value_boolean::text) AS value,
       fv.updated_at,
       fv.list_id,
       fv.video_id,
       fv.field_id
FROM video_field_values AS fv
JOIN bookmark_lists AS l ON l.id = fv.list_id
JOIN videos AS v ON v.id = fv.video_id
JOIN custom_fields AS f ON f.id = fv.field_id;
COMMENT ON VIEW video_field_values_readable IS
    'Field values as a person reads them: list, video, field name and type, the value as text.';
