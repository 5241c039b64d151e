-- Undo 0007_number_fields: the rules and functions as 0001 and 0005 made them. Refused while
-- a number field exists: delete those fields first (nothing is lost silently).
DO $$
BEGIN
    IF EXISTS (SELECT FROM custom_fields WHERE field_type = 'number') THEN
        RAISE EXCEPTION 'number fields exist: delete them before rolling back 0007_number_fields';
    END IF;
END
$$;

ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_number_config;
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_value_matches_type;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_value_matches_type CHECK (
        CASE field_type
            WHEN 'rating' THEN value_numeric IS NOT NULL
            WHEN 'boolean' THEN value_boolean IS NOT NULL
            ELSE value_text IS NOT NULL
        END);
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_rating_in_range;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_rating_in_range
    CHECK (value_numeric >= 0);
COMMENT ON COLUMN video_field_values.value_numeric IS 'The value of a rating field: 0..max_rating.';
COMMENT ON TYPE field_type IS
    'Kinds of custom field; each stores its values in one column of video_field_values: '
    'rating -> value_numeric, select and text -> value_text, boolean -> value_boolean.';

CREATE OR REPLACE FUNCTION field_value_broken_rule(field_type field_type, config jsonb,
                                        value_numeric numeric, value_text text) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE
    WHEN field_type = 'rating' AND value_numeric > (config ->> 'max_rating')::numeric
        THEN 'video_field_values_rating_in_range'
    WHEN field_type = 'select' AND NOT (config -> 'options') ? value_text
        THEN 'video_field_values_select_option'
    WHEN field_type = 'text' AND char_length(value_text) > (config ->> 'max_length')::integer
        THEN 'video_field_values_text_length'
END;
COMMENT ON FUNCTION field_value_broken_rule(field_type, jsonb, numeric, text) IS
    'The rule a value breaks against its field''s config (rating above max_rating, select value '
    'not an option, text longer than max_length), or NULL when it fits.';

CREATE OR REPLACE FUNCTION field_value_problem(rule text, field_name text, config jsonb,
                                    value_numeric numeric, value_text text) RETURNS text
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN CASE rule
    WHEN 'video_field_values_rating_in_range' THEN format(
        'rating %s for field "%s" is outside 0..%s', value_numeric, field_name, config ->> 'max_rating')
    WHEN 'video_field_values_select_option' THEN format(
        'value %L for field "%s" is not one of its options %s', value_text, field_name, config -> 'options')
    WHEN 'video_field_values_text_length' THEN format(
        'text for field "%s" is %s characters long, more than its max_length %s',
        field_name, char_length(value_text), config ->> 'max_length')
END;
COMMENT ON FUNCTION field_value_problem(text, text, jsonb, numeric, text) IS
    'A person-readable sentence for a rule named by field_value_broken_rule().';

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
            WHEN 'boolean' THEN EXISTS (SELECT FROM video_field_values
                                        WHERE field_id = OLD.id AND value_boolean IS NOT NULL)
            ELSE EXISTS (SELECT FROM video_field_values
                         WHERE field_id = OLD.id AND value_text IS NOT NULL)
        END;
    END IF;
    IF has_values THEN
        RAISE EXCEPTION 'rule custom_fields_type_change_with_values: field "%" has values, so its type stays %',
            OLD.name, OLD.field_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_type_change_with_values',
                  TABLE = 'custom_fields', COLUMN = 'field_type', DETAIL = format('field_id=%s', OLD.id);
    END IF;

    IF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type THEN
        IF NEW.field_type = 'rating' THEN
            SELECT v.video_id, v.value_numeric, v.value_text INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_numeric IS NOT NULL
              AND v.value_numeric > (NEW.config ->> 'max_rating')::numeric
            LIMIT 1;
        ELSE
            SELECT v.video_id, v.value_numeric, v.value_text INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_text IS NOT NULL
              AND field_value_broken_rule(NEW.field_type, NEW.config, NULL, v.value_text) IS NOT NULL
            LIMIT 1;
        END IF;
        IF FOUND THEN
            RAISE EXCEPTION 'rule custom_fields_config_breaks_values: the new config of field "%" would refuse a stored value: %',
                NEW.name,
                field_value_problem(field_value_broken_rule(NEW.field_type, NEW.config, bad.value_numeric, bad.value_text),
                                    NEW.name, NEW.config, bad.value_numeric, bad.value_text)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_config_breaks_values',
                      TABLE = 'custom_fields', COLUMN = 'config',
                      DETAIL = format('field_id=%s video_id=%s', NEW.id, bad.video_id);
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION field_value_counts_add(field_ids uuid[], field_types field_type[],
    value_texts text[], value_numerics numeric[], value_booleans boolean[], deltas integer[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO field_value_counts AS c
        (field_id, value_text, value_numeric, value_boolean, slot, count)
    SELECT change.field_id, change.value_text, change.value_numeric, change.value_boolean,
           pg_backend_pid() % 16, sum(change.delta)
    FROM (SELECT field_id, CASE WHEN field_type <> 'text' THEN value_text END AS value_text,
                 value_numeric, value_boolean, delta
          FROM unnest(field_ids, field_types, value_texts, value_numerics, value_booleans, deltas)
               AS v (field_id, field_type, value_text, value_numeric, value_boolean, delta))
         AS change
    -- A field deleted earlier in this transaction (its values cascading) has no counts to keep.
    WHERE EXISTS (SELECT FROM custom_fields AS f WHERE f.id = change.field_id)
    GROUP BY change.field_id, change.value_text, change.value_numeric, change.value_boolean
    HAVING sum(change.delta) <> 0
    ORDER BY change.field_id, change.value_text, change.value_numeric, change.value_boolean
    ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
        DO UPDATE SET count = c.count + excluded.count;
END
$$;
