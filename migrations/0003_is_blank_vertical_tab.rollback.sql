-- Undo 0003: is_blank() as 0001 defined it.
CREATE OR REPLACE FUNCTION is_blank(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN btrim(value, E' \t\n\r\f\v') = '';
