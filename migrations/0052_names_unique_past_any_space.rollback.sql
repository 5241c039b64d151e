-- Undo 0052_names_unique_past_any_space: names compared as 0043 made them, past ASCII spaces.
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

DROP FUNCTION name_key(text);
