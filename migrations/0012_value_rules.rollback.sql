-- Undo 0012_value_rules: the per-column rule functions and their callers as 0011 left them.
DROP FUNCTION field_value_broken_rule(custom_fields, video_field_values);
DROP FUNCTION field_value_problem(text, custom_fields, video_field_values);

CREATE FUNCTION field_value_broken_rule(field_type field_type, config jsonb,
                                        value_numeric numeric, value_text text, value_date date)
RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE
    WHEN field_type = 'rating' AND value_numeric > (config ->> 'max_rating')::numeric
        THEN 'video_field_values_rating_in_range'
    WHEN field_type = 'number' AND (value_numeric < (config ->> 'min')::numeric
                                    OR value_numeric > (config ->> 'max')::numeric)
        THEN 'video_field_values_number_in_range'
    WHEN field_type = 'number' AND scale(trim_scale(value_numeric)) > (config ->> 'decimals')::integer
        THEN 'video_field_values_number_decimals'
    WHEN field_type = 'date' AND (value_date < (config ->> 'min')::date
                                  OR value_date > (config ->> 'max')::date)
        THEN 'video_field_values_date_in_range'
    WHEN field_type = 'select' AND NOT (config -> 'options') ? value_text
        THEN 'video_field_values_select_option'
    WHEN field_type = 'text' AND char_length(value_text) > (config ->> 'max_length')::integer
        THEN 'video_field_values_text_length'
END;
COMMENT ON FUNCTION field_value_broken_rule(field_type, jsonb, numeric, text, date) IS
    'The rule a value breaks against its field''s config (rating above max_rating, number '
    'outside min..max or with more decimals, date outside min..max, select value not an '
    'option, text longer than max_length), or NULL when it fits.';

CREATE FUNCTION field_value_problem(rule text, field_name text, config jsonb,
                                    value_numeric numeric, value_text text, value_date date)
RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE rule
    WHEN 'video_field_values_rating_in_range' THEN format(
        'rating %s for field "%s" is outside 0..%s', value_numeric, field_name, config ->> 'max_rating')
    WHEN 'video_field_values_number_in_range' THEN format(
        'number %s for field "%s" is outside %s..%s', value_numeric, field_name,
        coalesce(config ->> 'min', ''), coalesce(config ->> 'max', ''))
    WHEN 'video_field_values_number_decimals' THEN format(
        'number %s for field "%s" has more than %s decimals', value_numeric, field_name,
        config ->> 'decimals')
    WHEN 'video_field_values_date_in_range' THEN format(
        'date %s for field "%s" is outside %s..%s', to_char(value_date, 'YYYY-MM-DD'), field_name,
        coalesce(config ->> 'min', ''), coalesce(config ->> 'max', ''))
    WHEN 'video_field_values_select_option' THEN format(
        'value %L for field "%s" is not one of its options %s', value_text, field_name, config -> 'options')
    WHEN 'video_field_values_text_length' THEN format(
        'text for field "%s" is %s characters long, more than its max_length %s',
        field_name, char_length(value_text), config ->> 'max_length')
END;
COMMENT ON FUNCTION field_value_problem(text, text, jsonb, numeric, text, date) IS
    'A person-readable sentence for a rule named by field_value_broken_rule().';

-- The rules of a multi_select value that need the field's config, and their sentences.
CREATE FUNCTION multi_select_broken_rule(config jsonb, value_options text[]) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE
        WHEN EXISTS (SELECT FROM unnest(value_options) AS option
                     WHERE NOT (config -> 'options') ? option)
            THEN 'video_field_values_multi_select_option'
        WHEN cardinality(value_options) > (config ->> 'max_selected')::integer
            THEN 'video_field_values_multi_select_max'
    END;
END;
COMMENT ON FUNCTION multi_select_broken_rule(jsonb, text[]) IS
    'The rule a multi_select value breaks against its field''s config (an option the field does '
    'not have, more than max_selected), or NULL when it fits.';

CREATE FUNCTION multi_select_problem(rule text, field_name text, config jsonb,
                                     value_options text[]) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE rule
    WHEN 'video_field_values_multi_select_option' THEN format(
        'value %s for field "%s" holds an option it does not have (its options: %s)',
        to_jsonb(value_options), field_name, config -> 'options')
    WHEN 'video_field_values_multi_select_max' THEN format(
        'value %s for field "%s" has %s options, more than its max_selected %s',
        to_jsonb(value_options), field_name, cardinality(value_options), config ->> 'max_selected')
END;
COMMENT ON FUNCTION multi_select_problem(text, text, jsonb, text[]) IS
    'A person-readable sentence for a rule named by multi_select_broken_rule().';

CREATE OR REPLACE FUNCTION video_field_values_check_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- FOR SHARE makes a concurrent config change of these fields wait for this transaction,
    -- so custom_fields_check_change() sees these values before it accepts a new config.
    PERFORM FROM custom_fields
    WHERE id IN (SELECT field_id FROM new_rows)
    ORDER BY id
    FOR SHARE;

    SELECT * INTO bad
    FROM (SELECT n.video_id, n.field_id, f.name, f.config, f.field_type, n.value_numeric,
                 n.value_text, n.value_date, n.value_options,
                 CASE WHEN f.field_type = 'multi_select'
                      THEN multi_select_broken_rule(f.config, n.value_options)
                      ELSE field_value_broken_rule(f.field_type, f.config, n.value_numeric,
                                                   n.value_text, n.value_date)
                 END AS rule
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id) AS checked
    WHERE rule IS NOT NULL
    LIMIT 1;

    IF FOUND THEN
        RAISE EXCEPTION 'rule %: %', bad.rule,
            CASE WHEN bad.field_type = 'multi_select'
                 THEN multi_select_problem(bad.rule, bad.name, bad.config, bad.value_options)
                 ELSE field_value_problem(bad.rule, bad.name, bad.config, bad.value_numeric,
                                          bad.value_text, bad.value_date)
            END
            USING ERRCODE = 'check_violation', CONSTRAINT = bad.rule, TABLE = 'video_field_values',
                  DETAIL = format('field_id=%s video_id=%s', bad.field_id, bad.video_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION custom_fields_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
    has_values boolean := false;
BEGIN
    IF NEW.field_type IS DISTINCT FROM OLD.field_type THEN
        has_values := CASE OLD.field_type
            WHEN 'rating' THEN EXISTS (SELECT FROM video_field_values
                                       WHERE field_id = OLD.id AND value_numeric IS NOT NULL)
            WHEN 'number' THEN EXISTS (SELECT FROM video_field_values
                                       WHERE field_id = OLD.id AND value_numeric IS NOT NULL)
            WHEN 'boolean' THEN EXISTS (SELECT FROM video_field_values
                                        WHERE field_id = OLD.id AND value_boolean IS NOT NULL)
            WHEN 'date' THEN EXISTS (SELECT FROM video_field_values
                                     WHERE field_id = OLD.id AND value_date IS NOT NULL)
            WHEN 'select' THEN EXISTS (SELECT FROM video_field_values
                                       WHERE field_id = OLD.id AND value_text IS NOT NULL)
            WHEN 'text' THEN EXISTS (SELECT FROM video_field_values
                                     WHERE field_id = OLD.id AND value_text IS NOT NULL)
            WHEN 'url' THEN EXISTS (SELECT FROM video_field_values
                                    WHERE field_id = OLD.id AND value_text IS NOT NULL)
            WHEN 'multi_select' THEN EXISTS (SELECT FROM video_field_values
                                             WHERE field_id = OLD.id AND value_options IS NOT NULL)
            -- A type without a branch here: look at every row rather than guess a column.
            ELSE EXISTS (SELECT FROM video_field_values WHERE field_id = OLD.id)
        END;
    END IF;
    IF has_values THEN
        RAISE EXCEPTION 'rule custom_fields_type_change_with_values: field "%" has values, so its type stays %',
            OLD.name, OLD.field_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_type_change_with_values',
                  TABLE = 'custom_fields', COLUMN = 'field_type', DETAIL = format('field_id=%s', OLD.id);
    END IF;

    IF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = 'multi_select'
       AND OLD.field_type = 'multi_select' THEN
        SELECT v.video_id, v.value_options INTO bad
        FROM video_field_values AS v
        WHERE v.field_id = NEW.id AND v.value_options IS NOT NULL
          AND multi_select_broken_rule(NEW.config, v.value_options) IS NOT NULL
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'rule custom_fields_config_breaks_values: the new config of field "%" would refuse a stored value: %',
                NEW.name,
                multi_select_problem(multi_select_broken_rule(NEW.config, bad.value_options),
                                     NEW.name, NEW.config, bad.value_options)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_config_breaks_values',
                      TABLE = 'custom_fields', COLUMN = 'config',
                      DETAIL = format('field_id=%s video_id=%s', NEW.id, bad.video_id);
        END IF;
    ELSIF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type THEN
        IF NEW.field_type IN ('rating', 'number') THEN
            SELECT v.video_id, v.value_numeric, v.value_text, v.value_date INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_numeric IS NOT NULL
              AND field_value_broken_rule(NEW.field_type, NEW.config, v.value_numeric, NULL, NULL)
                  IS NOT NULL
            LIMIT 1;
        ELSIF NEW.field_type = 'date' THEN
            SELECT v.video_id, v.value_numeric, v.value_text, v.value_date INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_date IS NOT NULL
              AND field_value_broken_rule(NEW.field_type, NEW.config, NULL, NULL, v.value_date)
                  IS NOT NULL
            LIMIT 1;
        ELSE
            SELECT v.video_id, v.value_numeric, v.value_text, v.value_date INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_text IS NOT NULL
              AND field_value_broken_rule(NEW.field_type, NEW.config, NULL, v.value_text, NULL)
                  IS NOT NULL
            LIMIT 1;
        END IF;
        IF FOUND THEN
            RAISE EXCEPTION 'rule custom_fields_config_breaks_values: the new config of field "%" would refuse a stored value: %',
                NEW.name,
                field_value_problem(
                    field_value_broken_rule(NEW.field_type, NEW.config, bad.value_numeric,
                                            bad.value_text, bad.value_date),
                    NEW.name, NEW.config, bad.value_numeric, bad.value_text, bad.value_date)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_config_breaks_values',
                      TABLE = 'custom_fields', COLUMN = 'config',
                      DETAIL = format('field_id=%s video_id=%s', NEW.id, bad.video_id);
        END IF;
    END IF;
    RETURN NEW;
END
$$;

ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_url_format;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_url_format CHECK (
    field_type <> 'url'
    OR (value_text ~ '^[!-~]+$'
        AND value_text ~* '^https?://([^/?#@]*@)?([^/?#@:\[\]]+|\[[0-9a-f:.]+\])(:[0-9]*)?([/?#]|$)'));
CREATE OR REPLACE FUNCTION video_field_values_fill_from_field() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT list_id, field_type INTO NEW.list_id, NEW.field_type
    FROM custom_fields WHERE id = NEW.field_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'rule video_field_values_field_fkey: custom field % does not exist', NEW.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'video_field_values_field_fkey',
                  TABLE = 'video_field_values', COLUMN = 'field_id';
    END IF;
    RETURN NEW;
END
$$;

DROP FUNCTION is_http_url(text);
DROP FUNCTION field_type_column(field_type);
