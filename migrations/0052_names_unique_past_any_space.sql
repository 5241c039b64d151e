-- A name is unique within its list ignoring the surrounding characters is_blank() ignores
-- (0048: Unicode's whitespace and the invisible format characters), not ASCII spaces only.
-- The API trims Unicode's whitespace before it writes, but in psql "Rating", "Rating" followed
-- by a no-break space or by a newline, and "Rating" after an ideographic space were four
-- fields of one list that look the same, and through the API "Rating" after a zero-width
-- space made a second one.
-- When a list already holds two names that differ only so, CREATE UNIQUE INDEX stops the
-- migration naming the key; rename one of them (UPDATE ... SET name = ...) and migrate again.
-- depends: 0051_one_key_per_row

CREATE FUNCTION name_key(name text) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN normalize(lower(btrim(name, E' \t\n\r\f\x0B\x1C\x1D\x1E\x1F\u0085\u00A0\u1680'
                                  '\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008'
                                  '\u2009\u200A\u2028\u2029\u202F\u205F\u3000'
                                  '\u200B\u200C\u200D\u2060\uFEFF')), NFC);
COMMENT ON FUNCTION name_key(text) IS
    'What makes two names of a list one name: case, how the characters are encoded (NFC) and '
    'the surrounding characters is_blank() ignores do not count.';

DROP INDEX custom_fields_name_unique;
CREATE UNIQUE INDEX custom_fields_name_unique ON custom_fields (list_id, name_key(name))
    WHERE deleted_at IS NULL;
COMMENT ON INDEX custom_fields_name_unique IS
    'A live field''s name is unique within its list (name_key: ignoring case, surrounding '
    'spaces of any script and how its characters are encoded); a deleted field''s name is '
    'free at once.';

DROP INDEX field_schemas_name_unique;
CREATE UNIQUE INDEX field_schemas_name_unique ON field_schemas (list_id, name_key(name));
COMMENT ON INDEX field_schemas_name_unique IS
    'A schema name is unique within its list (name_key: ignoring case, surrounding spaces of '
    'any script and how its characters are encoded).';

DROP INDEX tags_name_unique;
CREATE UNIQUE INDEX tags_name_unique ON tags (list_id, name_key(name));
COMMENT ON INDEX tags_name_unique IS
    'A tag name is unique within its list (name_key: ignoring case, surrounding spaces of any '
    'script and how its characters are encoded).';
