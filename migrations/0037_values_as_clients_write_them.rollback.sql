-- Undo 0037_values_as_clients_write_them: the value rules of 0012, without the precision and date
-- rules, and 0001's jsonb_is_integer_between (configs rewritten stay so: the same numbers).

ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_numeric_precision;
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_date_range;

CREATE OR REPLACE FUNCTION jsonb_is_integer_between(value jsonb, low integer, high integer)
RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE WHEN jsonb_typeof(value) = 'number'
            THEN value::numeric = trunc(value::numeric) AND value::numeric BETWEEN low AND high
            ELSE false END;
COMMENT ON FUNCTION jsonb_is_integer_between(jsonb, integer, integer) IS
    'True when a JSON value is an integer number within low..high.';

ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_number_config;
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_number_config CHECK (
    field_type <> 'number'
    OR (config - 'min' - 'max' - 'decimals' = '{}'
        AND (NOT config ? 'min' OR jsonb_typeof(config -> 'min') = 'number')
        AND (NOT config ? 'max' OR jsonb_typeof(config -> 'max') = 'number')
        AND (NOT config ? 'decimals' OR jsonb_is_integer_between(config -> 'decimals', 0, 6))
        AND (NOT (config ? 'min' AND config ? 'max')
             OR (config ->> 'min')::numeric <= (config ->> 'max')::numeric)));

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
    -- The rules of the field's config.
    WHEN field.field_type = 'rating'
         AND NOT value.value_numeric BETWEEN 0 AND (field.config ->> 'max_rating')::numeric
        THEN 'video_field_values_rating_in_range'
    WHEN field.field_type = 'number' AND (value.value_numeric < (field.config ->> 'min')::numeric
                                         OR value.value_numeric > (field.config ->> 'max')::numeric)
        THEN 'video_field_values_number_in_range'
    WHEN field.field_type = 'number'
         AND scale(trim_scale(value.value_numeric)) > (field.config ->> 'decimals')::integer
        THEN 'video_field_values_number_decimals'
    WHEN field.field_type = 'date' AND (value.value_date < (field.config ->> 'min')::date
                                        OR value.value_date > (field.config ->> 'max')::date)
        THEN 'video_field_values_date_in_range'
    WHEN field.field_type = 'select' AND NOT (field.config -> 'options') ? value.value_text
        THEN 'video_field_values_select_option'
    WHEN field.field_type = 'text'
         AND char_length(value.value_text) > (field.config ->> 'max_length')::integer
        THEN 'video_field_values_text_length'
    WHEN field.field_type = 'multi_select'
         AND NOT (field.config -> 'options') ?& value.value_options
        THEN 'video_field_values_multi_select_option'
    WHEN field.field_type = 'multi_select'
         AND cardinality(value.value_options) > (field.config ->> 'max_selected')::integer
        THEN 'video_field_values_multi_select_max'
END;
COMMENT ON FUNCTION field_value_broken_rule(custom_fields, video_field_values) IS
    'The first rule a value row breaks for its field, or NULL when it fits: its own shape '
    '(exactly one value, in the column of the type; text not blank and small enough to index; '
    'a url; a set of distinct options), then the field''s config (rating above max_rating, '
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

DROP FUNCTION fits_a_double(numeric);
