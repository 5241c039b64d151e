-- Back to names unique ignoring case and surrounding spaces only (0001, 0017).

DROP INDEX custom_fields_name_unique;
CREATE UNIQUE INDEX custom_fields_name_unique ON custom_fields (list_id, lower(btrim(name)))
    WHERE deleted_at IS NULL;
COMMENT ON INDEX custom_fields_name_unique IS
    'A live field''s name is unique within its list, ignoring case and surrounding spaces; a '
    'deleted field''s name is free at once.';

DROP INDEX field_schemas_name_unique;
CREATE UNIQUE INDEX field_schemas_name_unique ON field_schemas (list_id, lower(btrim(name)));
COMMENT ON INDEX field_schemas_name_unique IS
    'A schema name is unique within its list, ignoring case and surrounding spaces.';

DROP INDEX tags_name_unique;
CREATE UNIQUE INDEX tags_name_unique ON tags (list_id, lower(btrim(name)));
COMMENT ON INDEX tags_name_unique IS
    'A tag name is unique within its list, ignoring case and surrounding spaces.';
