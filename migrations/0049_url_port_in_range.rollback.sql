-- Undo 0049_url_port_in_range: any digits as a port, as 0012 had it.
CREATE OR REPLACE FUNCTION is_http_url(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN value ~ '^[!-~]+$'
       AND value ~* '^https?://([^/?#@]*@)?([^/?#@:\[\]]+|\[[0-9a-f:.]+\])(:[0-9]*)?([/?#]|$)';
COMMENT ON FUNCTION is_http_url(text) IS
    'True for an absolute http or https URL with a host (a name, or an IPv6 address in '
    'brackets), in printable ASCII without spaces.';
