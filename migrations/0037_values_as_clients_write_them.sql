-- Values and configs as a client writes and reads them: a number every JSON client reads back
-- exactly, a date a client can write, a config's integer written as one.
--
-- Numbers. JSON parsers (JavaScript's, Python's json, msgspec) read a number into an IEEE
-- double, and the app decoded request bodies so too: 123456789012345678.123456 was stored as
-- 123456789012345680, silently. The app now reads a body's numbers as exact decimals, and the
-- database refuses a numeric value that a double does not hold exactly: more than 15
-- significant digits (a double's DBL_DIG), or a magnitude beyond 1e-300..1e300. Any decimal
-- within both survives double -> shortest text -> decimal unchanged, so what a client sent is
-- what every client reads back (RFC 7493, I-JSON, section 2.2, asks the same of JSON texts).
-- A CHECK of video_field_values, under the same name as its rule in field_value_broken_rule()
-- (which reports it for each item of a refused batch), like every rule of a row's own shape.
-- Added NOT VALID, then validated: the scan of existing rows takes no lock that stops writers.
--
-- Dates. The app now reads and writes a date as its day number (app/db/pool.py), because
-- asyncpg wrote Python's largest and smallest dates, 9999-12-31 and 0001-01-01, as infinity
-- and -infinity, which then lay outside every date range and printed as nothing. A value_date
-- is held to the days a "YYYY-MM-DD" date names (video_field_values_date_range), so no writer
-- stores infinity, or a date before year 1 or after 9999.
--
-- Integers. jsonb_is_integer_between() took 10.0 as an integer, and the value rules then cast
-- its text to integer, which "10.0" is not: a text field of {"max_length": 10.0} refused every
-- value (422, "invalid input syntax for type integer"), a rating field of {"max_rating": 5.0}
-- answered its facets with a 500. An integer must now be written as one; configs stored so
-- are rewritten (10.0 -> 10, the same number), and the value rules read these members as
-- numeric, so a config change to 20.0 meets its CHECK instead of a cast error.
-- depends: 0036_app_role_without_temp

CREATE FUNCTION fits_a_double(value numeric) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
-- numeric's text has no exponent: its digits, point removed, zeros trimmed at both ends, are
-- the significant digits (1200.50 -> 12005, 0.0012 -> 12). NULL for NULL.
RETURN value = 0 OR (abs(value) BETWEEN 1e-300 AND 1e300
                     AND length(btrim(replace(abs(value)::text, '.', ''), '0')) <= 15);
COMMENT ON FUNCTION fits_a_double(numeric) IS
    'True when an IEEE double holds the value exactly (at most 15 significant digits, 0 or a '
    'magnitude within 1e-300..1e300): a JSON client reads it back as stored. NULL for NULL.';

ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_numeric_precision
    CHECK (fits_a_double(value_numeric)) NOT VALID;
ALTER TABLE video_field_values VALIDATE CONSTRAINT video_field_values_numeric_precision;

-- A number field's min and max alike: a client reads back the bound the database enforces (a
-- min of 0.1000000000000000055 read back as 0.1 would refuse the 0.1 it shows). As 0007's,
-- plus the last two lines.
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_number_config;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_number_config CHECK (
    field_type <> 'number'
    OR (config - 'min' - 'max' - 'decimals' = '{}'
        AND (NOT config ? 'min' OR jsonb_typeof(config -> 'min') = 'number')
        AND (NOT config ? 'max' OR jsonb_typeof(config -> 'max') = 'number')
        AND (NOT config ? 'decimals' OR jsonb_is_integer_between(config -> 'decimals', 0, 6))
        AND (NOT (config ? 'min' AND config ? 'max')
             OR (config ->> 'min')::numeric <= (config ->> 'max')::numeric)
        AND coalesce(fits_a_double((config ->> 'min')::numeric), true)
        AND coalesce(fits_a_double((config ->> 'max')::numeric), true))) NOT VALID;
ALTER TABLE custom_fields VALIDATE CONSTRAINT custom_fields_number_config;

CREATE OR REPLACE FUNCTION field_value_broken_rule(field custom_fields, value video_field_values)
RETURNS text
STABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE
    -- The row's own rules: each is also a CHECK of video_field_values, under the same name.
    WHEN num_nonnulls(value.value_text, value.value_numeric, value.value_boolean, value.value_date,
                      value.value_options) <> 1
        THEN 'video_field_values_exactly_one_value'
    WHEN field_type_column(field.field_type) IS DISTINCT FROM
         CASE WHEN value.value_text IS NOT NULL THEN 'value_text'
              WHEN value.value_numeric IS NOT NULL THEN 'value_numeric'
              WHEN value.value_boolean IS NOT NULL THEN 'value_boolean'
              WHEN value.value_date IS NOT NULL THEN 'value_date'
              WHEN value.value_options IS NOT NULL THEN 'value_options'
         END
        THEN 'video_field_values_value_matches_type'
    WHEN is_blank(value.value_text)
        THEN 'video_field_values_text_not_empty'
    WHEN octet_length(value.value_text) > CASE WHEN field.field_type = 'url' THEN 2048 ELSE 2000 END
        THEN 'video_field_values_text_size'
    WHEN field.field_type = 'url' AND NOT is_http_url(value.value_text)
        THEN 'video_field_values_url_format'
    WHEN value.value_options IS NOT NULL AND NOT is_option_set(value.value_options)
        THEN 'video_field_values_options_shape'
    WHEN NOT fits_a_double(value.value_numeric)
        THEN 'video_field_values_numeric_precision'
    WHEN NOT value.value_date BETWEEN '0001-01-01' AND '9999-12-31'
        THEN 'video_field_values_date_range'
    -- The rules of the field's config.
    WHEN field.field_type = 'rating'
         AND NOT value.value_numeric BETWEEN 0 AND (field.config ->> 'max_rating')::numeric
        THEN 'video_field_values_rating_in_range'
    WHEN field.field_type = 'number' AND (value.value_numeric < (field.config ->> 'min')::numeric
                                         OR value.value_numeric > (field.config ->> 'max')::numeric)
        THEN 'video_field_values_number_in_range'
    WHEN field.field_type = 'number'
         AND scale(trim_scale(value.value_numeric)) > (field.config ->> 'decimals')::numeric
        THEN 'video_field_values_number_decimals'
    WHEN field.field_type = 'date' AND (value.value_date < (field.config ->> 'min')::date
                                        OR value.value_date > (field.config ->> 'max')::date)
        THEN 'video_field_values_date_in_range'
    WHEN field.field_type = 'select' AND NOT (field.config -> 'options') ? value.value_text
        THEN 'video_field_values_select_option'
    WHEN field.field_type = 'text'
         AND char_length(value.value_text) > (field.config ->> 'max_length')::numeric
        THEN 'video_field_values_text_length'
    WHEN field.field_type = 'multi_select'
         AND NOT (field.config -> 'options') ?& value.value_options
        THEN 'video_field_values_multi_select_option'
    WHEN field.field_type = 'multi_select'
         AND cardinality(value.value_options) > (field.config ->> 'max_selected')::numeric
        THEN 'video_field_values_multi_select_max'
END;
COMMENT ON FUNCTION field_value_broken_rule(custom_fields, video_field_values) IS
    'The first rule a value row breaks for its field, or NULL when it fits: its own shape '
    '(exactly one value, in the column of the type; text not blank and small enough to index; '
    'a url; a set of distinct options; a number a double holds exactly; a date of years '
    '1..9999), then the field''s '
    'config (rating above max_rating, '
    'number outside min..max or with more decimals, date outside min..max, select value or '
    'multi_select option the field does not have, more than max_selected, text longer than '
    'max_length).';

CREATE OR REPLACE FUNCTION field_value_problem(
    rule text, field custom_fields, value video_field_values)
RETURNS text
STABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE rule
    WHEN 'video_field_values_exactly_one_value' THEN format(
        'exactly one of value_text, value_numeric, value_boolean, value_date, value_options '
        'must be set for field "%s"', field.name)
    WHEN 'video_field_values_value_matches_type' THEN format(
        'field "%s" is a %s field: set %s', field.name, field.field_type,
        field_type_column(field.field_type))
    WHEN 'video_field_values_text_not_empty' THEN format(
        'text for field "%s" is empty', field.name)
    WHEN 'video_field_values_text_size' THEN format(
        '%s for field "%s" is longer than %s', field.field_type, field.name,
        CASE WHEN field.field_type = 'url' THEN '2048 characters' ELSE '2000 bytes' END)
    WHEN 'video_field_values_url_format' THEN format(
        '%L for field "%s" is not an absolute http or https URL with a host, in printable ASCII '
        'without spaces', value.value_text, field.name)
    WHEN 'video_field_values_options_shape' THEN format(
        'value %s for field "%s" is not 1..200 distinct, non-blank options',
        to_jsonb(value.value_options), field.name)
    WHEN 'video_field_values_numeric_precision' THEN format(
        '%s %s for field "%s" is not what a JSON client would read back: at most 15 significant '
        'digits and a magnitude within 1e-300..1e300', field.field_type,
        -- 1e300 written out is 301 digits.
        CASE WHEN length(value.value_numeric::text) > 40
             THEN left(value.value_numeric::text, 30) || '...' ELSE value.value_numeric::text END,
        field.name)
    WHEN 'video_field_values_date_range' THEN format(
        'date %s for field "%s" is not a date from 0001-01-01 to 9999-12-31',
        value.value_date, field.name)
    WHEN 'video_field_values_rating_in_range' THEN format(
        'rating %s for field "%s" is outside 0..%s', value.value_numeric, field.name,
        field.config ->> 'max_rating')
    WHEN 'video_field_values_number_in_range' THEN format(
        'number %s for field "%s" is outside %s..%s', value.value_numeric, field.name,
        coalesce(field.config ->> 'min', ''), coalesce(field.config ->> 'max', ''))
    WHEN 'video_field_values_number_decimals' THEN format(
        'number %s for field "%s" has more than %s decimals', value.value_numeric, field.name,
        field.config ->> 'decimals')
    WHEN 'video_field_values_date_in_range' THEN format(
        'date %s for field "%s" is outside %s..%s', to_char(value.value_date, 'YYYY-MM-DD'),
        field.name, coalesce(field.config ->> 'min', ''), coalesce(field.config ->> 'max', ''))
    WHEN 'video_field_values_select_option' THEN format(
        'value %L for field "%s" is not one of its options %s', value.value_text, field.name,
        field.config -> 'options')
    WHEN 'video_field_values_text_length' THEN format(
        'text for field "%s" is %s characters long, more than its max_length %s', field.name,
        char_length(value.value_text), field.config ->> 'max_length')
    WHEN 'video_field_values_multi_select_option' THEN format(
        'value %s for field "%s" holds an option it does not have (its options: %s)',
        to_jsonb(value.value_options), field.name, field.config -> 'options')
    WHEN 'video_field_values_multi_select_max' THEN format(
        'value %s for field "%s" has %s options, more than its max_selected %s',
        to_jsonb(value.value_options), field.name, cardinality(value.value_options),
        field.config ->> 'max_selected')
END;
COMMENT ON FUNCTION field_value_problem(text, custom_fields, video_field_values) IS
    'A person-readable sentence for a rule named by field_value_broken_rule().';

ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_date_range
    CHECK (value_date BETWEEN '0001-01-01' AND '9999-12-31') NOT VALID;
ALTER TABLE video_field_values VALIDATE CONSTRAINT video_field_values_date_range;

CREATE OR REPLACE FUNCTION jsonb_is_integer_between(value jsonb, low integer, high integer)
RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
-- jsonb keeps a number's digits as written (10.0 stays 10.0; 1e1 becomes 10).
RETURN CASE WHEN jsonb_typeof(value) = 'number'
            THEN value::text ~ '^-?[0-9]+$' AND value::numeric BETWEEN low AND high
            ELSE false END;
COMMENT ON FUNCTION jsonb_is_integer_between(jsonb, integer, integer) IS
    'True when a JSON value is an integer number written as one (10, not 10.0) within '
    'low..high.';

UPDATE custom_fields AS f
SET config = f.config || written.integers
FROM (SELECT c.id, jsonb_object_agg(member.key, member.value::numeric::integer) AS integers
      FROM custom_fields AS c
      CROSS JOIN jsonb_each(c.config) AS member
      WHERE member.key IN ('max_rating', 'max_length', 'decimals', 'max_selected')
        AND jsonb_typeof(member.value) = 'number' AND member.value::text !~ '^-?[0-9]+$'
        AND member.value::numeric = trunc(member.value::numeric)
      GROUP BY c.id) AS written
WHERE f.id = written.id;
