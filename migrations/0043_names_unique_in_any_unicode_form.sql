-- A name is unique within its list whichever way its characters are encoded.
-- "Café" typed on one keyboard is é (U+00E9), on another e + a combining acute (U+0065 U+0301):
-- the same name on screen, two names to lower(btrim(name)), so a list could hold two fields,
-- schemas or tags that no one can tell apart. The unique indexes now compare names in Unicode
-- normalization form C (canonical equivalents are one name); a name is stored as written.
-- normalize() needs a UTF8 database, as a JSON API's text does.
-- When a list already holds two names that differ only so, CREATE UNIQUE INDEX stops the
-- migration naming the key; rename one of them (UPDATE ... SET name = ...) and migrate again.
-- depends: 0042_unchanged_rows_keep_updated_at

DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'custom-fields-sql needs a UTF8 database, this one is %',
            current_setting('server_encoding')
            USING HINT = 'CREATE DATABASE ... ENCODING ''UTF8'' TEMPLATE template0';
    END IF;
END
$$;

DROP INDEX custom_fields_name_unique;
CREATE UNIQUE INDEX custom_fields_name_unique
    ON custom_fields (list_id, normalize(lower(btrim(name)), NFC))
    WHERE deleted_at IS NULL;
COMMENT ON INDEX custom_fields_name_unique IS
    'A live field''s name is unique within its list, ignoring case, surrounding spaces and how '
    'its characters are encoded (NFC); a deleted field''s name is free at once.';

DROP INDEX field_schemas_name_unique;
CREATE UNIQUE INDEX field_schemas_name_unique
    ON field_schemas (list_id, normalize(lower(btrim(name)), NFC));
COMMENT ON INDEX field_schemas_name_unique IS
    'A schema name is unique within its list, ignoring case, surrounding spaces and how its '
    'characters are encoded (NFC).';

DROP INDEX tags_name_unique;
CREATE UNIQUE INDEX tags_name_unique ON tags (list_id, normalize(lower(btrim(name)), NFC));
COMMENT ON INDEX tags_name_unique IS
    'A tag name is unique within its list, ignoring case, surrounding spaces and how its '
    'characters are encoded (NFC).';
