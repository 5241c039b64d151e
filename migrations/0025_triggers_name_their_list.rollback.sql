-- Undo 0025_triggers_name_their_list: the trigger functions of 0002, 0012 and 0017, and the
-- fill from the field of 0001 (one trigger, by the field's id alone).

DROP TRIGGER video_field_values_fill_from_field_in_list ON video_field_values;
DROP FUNCTION video_field_values_fill_from_field_in_list();
DROP TRIGGER video_field_values_fill_from_field ON video_field_values;
CREATE OR REPLACE FUNCTION video_field_values_fill_from_field()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    SELECT coalesce(NEW.list_id, list_id), coalesce(NEW.field_type, field_type)
    INTO NEW.list_id, NEW.field_type
    FROM custom_fields WHERE id = NEW.field_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_field_fkey: custom field % does not exist', NEW.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_field_fkey',
                  TABLE = 'video_field_values', COLUMN = 'field_id';
    END IF;
    RETURN NEW;
END
$function$

;

CREATE OR REPLACE FUNCTION video_field_values_fill_from_video()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    SELECT created_at INTO NEW.video_created_at FROM videos WHERE id = NEW.video_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_video_fkey: video % does not exist', NEW.video_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_video_fkey',
                  TABLE = 'video_field_values', COLUMN = 'video_id',
                  DETAIL = format('Key (video_id)=(%s) is not present in table "videos".',
                                  NEW.video_id);
    END IF;
    RETURN NEW;
END
$function$

;

CREATE OR REPLACE FUNCTION video_field_values_check_rules()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    broken record;
BEGIN
    -- FOR SHARE makes a concurrent config change of these fields wait for this transaction,
    -- so custom_fields_check_change() sees these values before it accepts a new config.
    PERFORM FROM custom_fields
    WHERE id IN (SELECT field_id FROM new_rows)
    ORDER BY id
    FOR SHARE;

    -- The happy path is this one query; the report is built only when something is broken.
    IF NOT EXISTS (SELECT FROM new_rows AS n
                   JOIN custom_fields AS f ON f.id = n.field_id
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
          JOIN custom_fields AS f ON f.id = n.field_id
          CROSS JOIN LATERAL (SELECT field_value_broken_rule(f, n) AS rule) AS checked
          WHERE checked.rule IS NOT NULL) AS b;

    RAISE EXCEPTION 'rule %: %', broken.rule,
        broken.problem || CASE WHEN broken.rows > 1
                               THEN format(' (and %s more rows break rules)', broken.rows - 1)
                               ELSE '' END
        USING ERRCODE = 'check_violation', CONSTRAINT = broken.rule,
              TABLE = 'video_field_values', DETAIL = broken.lines;
END
$function$

;

CREATE OR REPLACE FUNCTION video_field_values_refuse_purged()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    purged record;
BEGIN
    WITH lists AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id IN (SELECT list_id FROM new_rows) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE),
    fields AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id IN (SELECT field_id FROM new_rows) AND deleted_at IS NULL
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
$function$

;

CREATE OR REPLACE FUNCTION refuse_purged_lists()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id IN (SELECT list_id FROM new_rows) AND deleted_at IS NULL
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
$function$

;

CREATE OR REPLACE FUNCTION refuse_purged_fields()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id IN (SELECT field_id FROM new_rows) AND deleted_at IS NULL
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
$function$

;

CREATE TRIGGER video_field_values_fill_from_field
    BEFORE INSERT ON video_field_values
    FOR EACH ROW WHEN (NEW.list_id IS NULL OR NEW.field_type IS NULL)
    EXECUTE FUNCTION video_field_values_fill_from_field();
