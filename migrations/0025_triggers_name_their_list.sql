-- The value triggers name the list of every row they read (#13, Citus rule 5: a trigger runs
-- on its row's shard, so what it reads must be found by the distribution column). Each
-- statement that reached a field, a video or a list by its id alone now also matches list_id:
--   - the statement triggers (value rules, refusals of a deleted list or field) read the
--     lists and fields of their transition rows by "= ANY (ARRAY(SELECT ... FROM new_rows))"
--     on both the ids and list_id (one array read once: cheaper than the semi-join
--     "id IN (SELECT ...)" it replaces, set_one 2.5 -> 1.85 ms at 1M), and join them on both.
--     (A join to the distinct (list_id, field_id) pairs made set_one 3.2 ms: planning.)
--   - the fill of video_created_at reads the video in the row's list;
--   - the fill from the field splits in two: list_id (and the type) by the field's id alone,
--     WHEN list_id IS NULL, which Citus never fires (it refuses an INSERT without the
--     distribution column before any trigger: "cannot perform an INSERT without a partition
--     column value", citusdata/citus#2811); the type alone, WHEN field_type IS NULL, from the
--     field in the row's list. BEFORE triggers fire by name: ..._fill_from_field,
--     ..._fill_from_field_in_list, ..._fill_from_video.
-- What a write meets is unchanged: a field or video of another list is refused by the same
-- rule names (video_field_values_field_fkey, video_field_values_video_fkey), a deleted list or
-- field by bookmark_lists_deleted / custom_fields_deleted, and the same rows are locked
-- FOR SHARE in the same order.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0024_purge_wal_compression

CREATE OR REPLACE FUNCTION video_field_values_fill_from_field() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Only for a row without list_id (a psql user's INSERT): nothing else names the list.
    SELECT list_id, coalesce(NEW.field_type, field_type) INTO NEW.list_id, NEW.field_type
    FROM custom_fields WHERE id = NEW.field_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_field_fkey: custom field % does not exist', NEW.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_field_fkey',
                  TABLE = 'video_field_values', COLUMN = 'field_id';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER video_field_values_fill_from_field ON video_field_values;
CREATE TRIGGER video_field_values_fill_from_field
    BEFORE INSERT ON video_field_values
    FOR EACH ROW WHEN (NEW.list_id IS NULL)
    EXECUTE FUNCTION video_field_values_fill_from_field();

CREATE FUNCTION video_field_values_fill_from_field_in_list() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT field_type INTO NEW.field_type
    FROM custom_fields WHERE id = NEW.field_id AND list_id = NEW.list_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_field_fkey: custom field % does not exist in list %',
            NEW.field_id, NEW.list_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_field_fkey',
                  TABLE = 'video_field_values', COLUMN = 'field_id';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION video_field_values_fill_from_field_in_list() IS
    'Fills field_type, when an INSERT leaves it out, from the field in the row''s list.';

CREATE TRIGGER video_field_values_fill_from_field_in_list
    BEFORE INSERT ON video_field_values
    FOR EACH ROW WHEN (NEW.field_type IS NULL)
    EXECUTE FUNCTION video_field_values_fill_from_field_in_list();

CREATE OR REPLACE FUNCTION video_field_values_fill_from_video() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT created_at INTO NEW.video_created_at
    FROM videos WHERE id = NEW.video_id AND list_id = NEW.list_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_video_fkey: video % does not exist in list %',
            NEW.video_id, NEW.list_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_video_fkey',
                  TABLE = 'video_field_values', COLUMN = 'video_id',
                  DETAIL = format('Key (video_id, list_id)=(%s, %s) is not present in table "videos".',
                                  NEW.video_id, NEW.list_id);
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION video_field_values_check_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    broken record;
BEGIN
    -- FOR SHARE makes a concurrent config change of these fields wait for this transaction,
    -- so custom_fields_check_change() sees these values before it accepts a new config.
    PERFORM FROM custom_fields
    WHERE id = ANY (ARRAY(SELECT field_id FROM new_rows))
      AND list_id = ANY (ARRAY(SELECT list_id FROM new_rows))
    ORDER BY id
    FOR SHARE;

    -- The happy path is this one query; the report is built only when something is broken.
    IF NOT EXISTS (SELECT FROM new_rows AS n
                   JOIN custom_fields AS f ON f.id = n.field_id AND f.list_id = n.list_id
                   WHERE field_value_broken_rule(f, n) IS NOT NULL) THEN
        RETURN NULL;
    END IF;

    SELECT count(*) AS rows,
           min(b.rule) FILTER (WHERE b.number = 1) AS rule,
           min(b.problem) FILTER (WHERE b.number = 1) AS problem,
           string_agg(format('field_id=%s video_id=%s %s: %s', b.field_id, b.video_id, b.rule,
                             b.problem), E'\n' ORDER BY b.number) FILTER (WHERE b.number <= 100)
               AS lines
    INTO broken
    FROM (SELECT n.video_id, n.field_id, checked.rule,
                 field_value_problem(checked.rule, f, n) AS problem,
                 row_number() OVER (ORDER BY n.video_id, n.field_id) AS number
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id AND f.list_id = n.list_id
          CROSS JOIN LATERAL (SELECT field_value_broken_rule(f, n) AS rule) AS checked
          WHERE checked.rule IS NOT NULL) AS b;

    RAISE EXCEPTION 'rule %: %', broken.rule,
        broken.problem || CASE WHEN broken.rows > 1
                               THEN format(' (and %s more rows break rules)', broken.rows - 1)
                               ELSE '' END
        USING ERRCODE = 'check_violation', CONSTRAINT = broken.rule,
              TABLE = 'video_field_values', DETAIL = broken.lines;
END
$$;

CREATE OR REPLACE FUNCTION video_field_values_refuse_purged() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged record;
BEGIN
    WITH lists AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE),
    fields AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.list_id, n.field_id, EXISTS (SELECT FROM lists WHERE lists.id = n.list_id) AS list_alive
    INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM lists WHERE lists.id = n.list_id)
       OR NOT EXISTS (SELECT FROM fields WHERE fields.id = n.field_id)
    LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF NOT purged.list_alive THEN
        RAISE EXCEPTION 'rule bookmark_lists_deleted: list % does not exist or is deleted',
            purged.list_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'bookmark_lists_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'list_id',
                  DETAIL = format('Key (list_id)=(%s) is not present in table "bookmark_lists".',
                                  purged.list_id);
    ELSE
        RAISE EXCEPTION 'rule custom_fields_deleted: custom field % does not exist or is deleted',
            purged.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'custom_fields_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'field_id',
                  DETAIL = format('Key (field_id)=(%s) is not present in table "custom_fields".',
                                  purged.field_id);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION refuse_purged_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.list_id INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM alive WHERE alive.id = n.list_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rule bookmark_lists_deleted: list % does not exist or is deleted', purged
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'bookmark_lists_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'list_id',
                  DETAIL = format('Key (list_id)=(%s) is not present in table "bookmark_lists".',
                                  purged);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION refuse_purged_fields() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.field_id INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM alive WHERE alive.id = n.field_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rule custom_fields_deleted: custom field % does not exist or is deleted',
            purged
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'custom_fields_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'field_id',
                  DETAIL = format('Key (field_id)=(%s) is not present in table "custom_fields".',
                                  purged);
    END IF;
    RETURN NULL;
END
$$;
