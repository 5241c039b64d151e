-- The multi_select field type: a non-empty set of the field's options in its own column,
-- value_options (text[]), so a video still has at most one row per field; optionally at most
-- max_selected of them. Every rule is the database's, for any writer. A GIN index serves
-- has_any (&&) and has_all (@>).
-- depends: 0010_field_type_multi_select

COMMENT ON TYPE field_type IS
    'Kinds of custom field; each stores its values in one column of video_field_values: '
    'rating and number -> value_numeric, select, text and url -> value_text, '
    'boolean -> value_boolean, date -> value_date, multi_select -> value_options.';

-- {"options": [...], "max_selected": 1..200}, max_selected optional.
ALTER TABLE custom_fields ADD CONSTRAINT custom_fields_multi_select_config CHECK (
    field_type <> 'multi_select'
    OR (config - 'options' - 'max_selected' = '{}'
        AND jsonb_is_option_list(config -> 'options')
        AND (NOT config ? 'max_selected'
             OR jsonb_is_integer_between(config -> 'max_selected', 1, 200))));

CREATE FUNCTION is_option_set(value text[]) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT array_ndims(value) = 1
           AND cardinality(value) BETWEEN 1 AND 200
           AND NOT EXISTS (SELECT FROM unnest(value) AS option
                           WHERE option IS NULL OR is_blank(option))
           AND (SELECT count(DISTINCT option) FROM unnest(value) AS option) = cardinality(value);
END;
COMMENT ON FUNCTION is_option_set(text[]) IS
    'True for a multi_select value: 1..200 distinct, non-blank, non-null strings.';

ALTER TABLE video_field_values ADD COLUMN value_options text[];
COMMENT ON COLUMN video_field_values.value_options IS
    'The value of a multi_select field: 1..200 distinct options of the field (at most '
    'max_selected when its config says so).';
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_exactly_one_value;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_exactly_one_value
    CHECK (num_nonnulls(value_text, value_numeric, value_boolean, value_date, value_options) = 1);
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_value_matches_type;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_value_matches_type CHECK (
    CASE field_type
        WHEN 'rating' THEN value_numeric IS NOT NULL
        WHEN 'number' THEN value_numeric IS NOT NULL
        WHEN 'boolean' THEN value_boolean IS NOT NULL
        WHEN 'select' THEN value_text IS NOT NULL
        WHEN 'text' THEN value_text IS NOT NULL
        WHEN 'url' THEN value_text IS NOT NULL
        WHEN 'date' THEN value_date IS NOT NULL
        WHEN 'multi_select' THEN value_options IS NOT NULL
        ELSE false
    END);
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_options_shape
    CHECK (value_options IS NULL OR is_option_set(value_options));

CREATE INDEX video_field_values_options_idx ON video_field_values USING gin (value_options)
    WHERE value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_idx IS
    'Serves has_any / has_all on a multi_select field: value_options && / @> the options '
    '(the field is rechecked on the row).';

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

-- The view shows a multi_select's options too.
DROP VIEW video_field_values_readable;
CREATE VIEW video_field_values_readable AS
SELECT l.name AS list_name,
       v.youtube_id,
       v.title AS video_title,
       f.name AS field_name,
       f.field_type,
       coalesce(fv.value_text, fv.value_numeric::text, fv.value_boolean::text,
                to_char(fv.value_date, 'YYYY-MM-DD'), array_to_string(fv.value_options, ', '))
           AS value,
       fv.updated_at,
       fv.list_id,
       fv.video_id,
       fv.field_id
FROM video_field_values AS fv
JOIN bookmark_lists AS l ON l.id = fv.list_id
JOIN videos AS v ON v.id = fv.video_id
JOIN custom_fields AS f ON f.id = fv.field_id;
COMMENT ON VIEW video_field_values_readable IS
    'Field values as a person reads them: list, video, field name and type, the value as text.';
