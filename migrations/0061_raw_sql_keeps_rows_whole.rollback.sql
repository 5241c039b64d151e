-- Undo 0061_raw_sql_keeps_rows_whole: fields matched by id alone, deleted rows insertable, and
-- TRUNCATE leaving the counts.
DROP TRIGGER video_field_values_truncate_counts ON video_field_values;
DROP TRIGGER videos_truncate_counts ON videos;
DROP FUNCTION truncate_kept_counts();
DROP TRIGGER custom_fields_born_alive ON custom_fields;
DROP TRIGGER bookmark_lists_born_alive ON bookmark_lists;
DROP FUNCTION refuse_born_deleted();

CREATE OR REPLACE FUNCTION video_field_values_refuse_purged() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged record;
BEGIN
    -- The other side of an INSERT ... ON CONFLICT DO UPDATE wrote no row: nothing to do.
    IF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    WITH lists AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id = ANY (ARRAY(SELECT DISTINCT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE),
    fields AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT DISTINCT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT DISTINCT list_id FROM new_rows)) AND deleted_at IS NULL
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

CREATE OR REPLACE FUNCTION refuse_purged_fields() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT DISTINCT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT DISTINCT list_id FROM new_rows)) AND deleted_at IS NULL
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
