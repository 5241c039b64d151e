-- is_blank(): 0001 stripped E' \t\n\r\f\v', but PostgreSQL strings have no \v escape, so the
-- set held the letter "v" and no vertical tab: a list, video or field named "v", or a text
-- value "vvv", was refused as blank, and one of vertical tabs was not. \x0B is the tab.
-- depends: 0002_search_streams
CREATE OR REPLACE FUNCTION is_blank(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN btrim(value, E' \t\n\r\f\x0B') = '';
