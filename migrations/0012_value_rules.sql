-- The value rules, stated once for whole rows: field_value_broken_rule(field, value) names the
-- first rule a video_field_values row breaks (its own shape, then its field's config), and
-- field_value_problem(rule, field, value) says it in a sentence. The rules trigger, the
-- config-change trigger and the repository's account of a refused batch all call them, so a
-- new type adds CASE branches here and changes no caller. The rules trigger now reports every
-- broken row of a statement in one error.
-- depends: 0011_multi_select_fields

-- The value column of each type (the schema's rule 2); NULL for a type without one, which
-- format('%I') then refuses loudly.
CREATE FUNCTION field_type_column(field_type field_type) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE field_type
    WHEN 'rating' THEN 'value_numeric'
    WHEN 'number' THEN 'value_numeric'
    WHEN 'boolean' THEN 'value_boolean'
    WHEN 'select' THEN 'value_text'
    WHEN 'text' THEN 'value_text'
    WHEN 'url' THEN 'value_text'
    WHEN 'date' THEN 'value_date'
    WHEN 'multi_select' THEN 'value_options'
END;
COMMENT ON FUNCTION field_type_column(field_type) IS
    'The video_field_values column that holds the values of a field type.';

-- The url format, once for the CHECK and the rules function.
CREATE FUNCTION is_http_url(value text) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN value ~ '^[!-~]+$'
       AND value ~* '^https?://([^/?#@]*@)?([^/?#@:\[\]]+|\[[0-9a-f:.]+\])(:[0-9]*)?([/?#]|$)';
COMMENT ON FUNCTION is_http_url(text) IS
    'True for an absolute http or https URL with a host (a name, or an IPv6 address in '
    'brackets), in printable ASCII without spaces.';
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_url_format;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_url_format
    CHECK (field_type <> 'url' OR is_http_url(value_text));

-- The callers below pass whole rows; the per-column forms go.
DROP FUNCTION field_value_broken_rule(field_type, jsonb, numeric, text, date);
DROP FUNCTION field_value_problem(text, text, jsonb, numeric, text, date);
DROP FUNCTION multi_select_broken_rule(jsonb, text[]);
DROP FUNCTION multi_select_problem(text, text, jsonb, text[]);

-- STABLE, not IMMUTABLE: text::date depends on DateStyle. Declared so, the planner inlines the
-- call into the triggers' queries (an IMMUTABLE body with a STABLE cast is not inlined, and
-- then costs a SQL-function call per row).
CREATE FUNCTION field_value_broken_rule(field custom_fields, value video_field_values)
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

CREATE FUNCTION field_value_problem(rule text, field custom_fields, value video_field_values)
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

-- Checked once per statement over all new rows. Every broken row is reported: the message
-- names the first and how many more, DETAIL has a line per row (the first 100).
CREATE OR REPLACE FUNCTION video_field_values_check_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    broken record;
BEGIN
    -- FOR SHARE makes a concurrent config change of these fields wait for this transaction,
    -- so custom_fields_check_change() sees these values before it accepts a new config.
    PERFORM FROM custom_fields
    WHERE id IN (SELECT field_id FROM new_rows)
    ORDER BY id
    FOR SHARE;

    -- The happy path is this one query; the report is built only when something is broken.
    IF NOT EXISTS (SELECT FROM new_rows AS n
                   JOIN custom_fields AS f ON f.id = n.field_id
                   WHERE field_value_broken_rule(f, n) IS NOT NULL) THEN
        RETURN NULL;
    END IF;

    SELECT count(*) AS rows,
           min(b.rule) FILTER (WHERE b.number = 1) AS rule,
           min(b.problem) FILTER (WHERE b.number = 1) AS problem,
           string_agg(format('field_id=%s video_id=%s %s: %s', b.field_id, b.video_id, b.rule,
                             b.problem), E'\n' ORDER BY b.number) FILTER (WHERE b.number <= 100)
               AS lines
    INTO broken
    FROM (SELECT n.video_id, n.field_id, checked.rule,
                 field_value_problem(checked.rule, f, n) AS problem,
                 row_number() OVER (ORDER BY n.video_id, n.field_id) AS number
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id
          CROSS JOIN LATERAL (SELECT field_value_broken_rule(f, n) AS rule) AS checked
          WHERE checked.rule IS NOT NULL) AS b;

    RAISE EXCEPTION 'rule %: %', broken.rule,
        broken.problem || CASE WHEN broken.rows > 1
                               THEN format(' (and %s more rows break rules)', broken.rows - 1)
                               ELSE '' END
        USING ERRCODE = 'check_violation', CONSTRAINT = broken.rule,
              TABLE = 'video_field_values', DETAIL = broken.lines;
END
$$;

-- A type change is refused while the field has values, a config change while it would strand
-- one. Both read the field's values through its type's value index: the query is dynamic only
-- in the column name, which comes from field_type_column().
CREATE OR REPLACE FUNCTION custom_fields_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad video_field_values;
    has_values boolean := false;
BEGIN
    IF NEW.field_type IS DISTINCT FROM OLD.field_type THEN
        EXECUTE format('SELECT EXISTS (SELECT FROM video_field_values '
                       'WHERE field_id = $1 AND %I IS NOT NULL)', field_type_column(OLD.field_type))
        INTO has_values USING OLD.id;
    END IF;
    IF has_values THEN
        RAISE EXCEPTION 'rule custom_fields_type_change_with_values: field "%" has values, so its type stays %',
            OLD.name, OLD.field_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_type_change_with_values',
                  TABLE = 'custom_fields', COLUMN = 'field_type', DETAIL = format('field_id=%s', OLD.id);
    END IF;

    IF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type THEN
        EXECUTE format('SELECT v.* FROM video_field_values AS v '
                       'WHERE v.field_id = $1 AND v.%I IS NOT NULL '
                       'AND field_value_broken_rule($2, v) IS NOT NULL LIMIT 1',
                       field_type_column(NEW.field_type))
        INTO bad USING NEW.id, NEW;
        IF bad.video_id IS NOT NULL THEN  -- (EXECUTE does not set FOUND)
            RAISE EXCEPTION 'rule custom_fields_config_breaks_values: the new config of field "%" would refuse a stored value: %',
                NEW.name, field_value_problem(field_value_broken_rule(NEW, bad), NEW, bad)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_config_breaks_values',
                      TABLE = 'custom_fields', COLUMN = 'config',
                      DETAIL = format('field_id=%s video_id=%s', NEW.id, bad.video_id);
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- The fill-in trigger fills only what the writer left out. It used to take list_id from the
-- field even when one was given, so a write naming list A with a field of list B was moved to
-- list B instead of being refused by video_field_values_field_fkey.
CREATE OR REPLACE FUNCTION video_field_values_fill_from_field() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT coalesce(NEW.list_id, list_id), coalesce(NEW.field_type, field_type)
    INTO NEW.list_id, NEW.field_type
    FROM custom_fields WHERE id = NEW.field_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_field_fkey: custom field % does not exist', NEW.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_field_fkey',
                  TABLE = 'video_field_values', COLUMN = 'field_id';
    END IF;
    RETURN NEW;
END
$$;
