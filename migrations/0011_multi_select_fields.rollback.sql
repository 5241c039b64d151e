-- Undo 0011_multi_select_fields: the rules and functions as 0009 left them. Refused while a
-- multi_select field exists: delete those fields first (nothing is lost silently).
DO $$
BEGIN
    IF EXISTS (SELECT FROM custom_fields WHERE field_type::text = 'multi_select') THEN
        RAISE EXCEPTION 'multi_select fields exist: delete them before rolling back 0011_multi_select_fields';
    END IF;
END
$$;

DROP VIEW video_field_values_readable;
CREATE VIEW video_field_values_readable AS
SELECT l.name AS list_name,
       v.youtube_id,
       v.title AS video_title,
       f.name AS field_name,
       f.field_type,
       coalesce(fv.value_text, fv.value_numeric::text, fv.value_boolean::text,
                to_char(fv.value_date, 'YYYY-MM-DD')) AS value,
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
    FROM (SELECT n.video_id, n.field_id, f.name, f.config, n.value_numeric, n.value_text,
                 n.value_date,
                 field_value_broken_rule(f.field_type, f.config, n.value_numeric, n.value_text,
                                         n.value_date) AS rule
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id) AS checked
    WHERE rule IS NOT NULL
    LIMIT 1;

    IF FOUND THEN
        RAISE EXCEPTION 'rule %: %', bad.rule,
            field_value_problem(bad.rule, bad.name, bad.config, bad.value_numeric, bad.value_text,
                                bad.value_date)
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

    IF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type THEN
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

DROP FUNCTION multi_select_problem(text, text, jsonb, text[]);
DROP FUNCTION multi_select_broken_rule(jsonb, text[]);
DROP INDEX video_field_values_options_idx;
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_options_shape;
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
        ELSE false
    END);
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_exactly_one_value;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_exactly_one_value
    CHECK (num_nonnulls(value_text, value_numeric, value_boolean, value_date) = 1);
ALTER TABLE video_field_values DROP COLUMN value_options;
DROP FUNCTION is_option_set(text[]);
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_multi_select_config;
COMMENT ON TYPE field_type IS
    'Kinds of custom field; each stores its values in one column of video_field_values: '
    'rating and number -> value_numeric, select, text and url -> value_text, '
    'boolean -> value_boolean, date -> value_date.';
