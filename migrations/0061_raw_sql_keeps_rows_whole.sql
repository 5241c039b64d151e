-- What a psql session could still do to the rows, found by a raw-SQL probe, refused or kept whole.
-- * A field is a (id, list_id): its id alone may repeat in another list (the key holds the list,
--   for Citus), and the triggers refusing values and schema fields for a deleted field matched
--   alive fields by id alone: a two-row INSERT, one row per list, attached a value (unchecked)
--   to the deleted one. They match both now.
-- * A list or field inserted already deleted (deleted_at set) had no purge queued, which only
--   the UPDATE that deletes it does: it stayed, hidden, for good. Refused (<table>_born_alive).
-- * TRUNCATE (the owning role's; the app's role may not) skips the count triggers, which fire
--   per row set: the kept counts stayed as they were. Truncating the values or the videos now
--   truncates their counts too.
-- depends: 0060_counts_written_by_triggers_only

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
        SELECT id, list_id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT DISTINCT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT DISTINCT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.list_id, n.field_id, EXISTS (SELECT FROM lists WHERE lists.id = n.list_id) AS list_alive
    INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM lists WHERE lists.id = n.list_id)
       OR NOT EXISTS (SELECT FROM fields
                      WHERE fields.id = n.field_id AND fields.list_id = n.list_id)
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
        SELECT id, list_id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT DISTINCT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT DISTINCT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.field_id INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM alive
                      WHERE alive.id = n.field_id AND alive.list_id = n.list_id)
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

CREATE FUNCTION refuse_born_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rule %_born_alive: a row of % is deleted by setting its deleted_at, which queues its purge; it is not inserted deleted',
        TG_TABLE_NAME, TG_TABLE_NAME
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_born_alive',
              TABLE = TG_TABLE_NAME, COLUMN = 'deleted_at';
END
$$;

CREATE TRIGGER bookmark_lists_born_alive BEFORE INSERT ON bookmark_lists
    FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION refuse_born_deleted();
CREATE TRIGGER custom_fields_born_alive BEFORE INSERT ON custom_fields
    FOR EACH ROW WHEN (NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION refuse_born_deleted();

-- The counts of what was truncated: all of them (TRUNCATE takes every list's rows).
CREATE FUNCTION truncate_kept_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'videos' THEN
        TRUNCATE list_video_counts;
    ELSE
        TRUNCATE field_value_counts;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER videos_truncate_counts AFTER TRUNCATE ON videos
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_kept_counts();
CREATE TRIGGER video_field_values_truncate_counts AFTER TRUNCATE ON video_field_values
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_kept_counts();
