-- Undo 0048_blank_in_every_script: ASCII whitespace only, as 0003 had it.
CREATE OR REPLACE FUNCTION is_blank(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN btrim(value, E' \t\n\r\f\x0B') = '';
COMMENT ON FUNCTION is_blank(text) IS
    'True for an empty text or one of only spaces, tabs and line breaks.';
