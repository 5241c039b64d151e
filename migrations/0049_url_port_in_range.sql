-- is_http_url(): a port is one a URL can hold, 0..65535 (leading zeros allowed, as URL parsers
-- read them; an empty port too): `https://example.com:99999/` was stored, a link no browser
-- opens. Stored urls are not checked again (a CHECK is not re-run when its function changes).
-- depends: 0048_blank_in_every_script
CREATE OR REPLACE FUNCTION is_http_url(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN value ~ '^[!-~]+$'
       AND value ~* ('^https?://([^/?#@]*@)?([^/?#@:\[\]]+|\[[0-9a-f:.]+\])'
                     '(:0*([0-9]{0,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}'
                     '|655[0-2][0-9]|6553[0-5]))?([/?#]|$)');
COMMENT ON FUNCTION is_http_url(text) IS
    'True for an absolute http or https URL with a host (a name, or an IPv6 address in '
    'brackets) and a port within 0..65535 if any, in printable ASCII without spaces.';
