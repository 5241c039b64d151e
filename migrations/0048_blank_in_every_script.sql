-- is_blank(): whitespace as Unicode has it, the API's trimming (Python's str.strip) included,
-- and the invisible format characters (zero-width space and joiners, word joiner, BOM). It
-- knew ASCII's only, so a name or text value of no-break or ideographic spaces (U+00A0,
-- U+3000), which the API trims to nothing and refuses, passed every CHECK in psql, and one of
-- zero-width spaces passed both.
-- A CHECK is not re-run when its function changes: a value stored before that is blank now
-- stays until its row is next written (which the CHECK then refuses unless the value changes).
-- depends: 0047_field_type_follows_field
CREATE OR REPLACE FUNCTION is_blank(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN btrim(value, E' \t\n\r\f\x0B\x1C\x1D\x1E\x1F\u0085\u00A0\u1680'
                    '\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A'
                    '\u2028\u2029\u202F\u205F\u3000'
                    '\u200B\u200C\u200D\u2060\uFEFF') = '';
COMMENT ON FUNCTION is_blank(text) IS
    'True for an empty text or one of only whitespace (Unicode''s, as Python''s str.strip '
    'trims it) and invisible format characters (U+200B-U+200D, U+2060, U+FEFF).';
