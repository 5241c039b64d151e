-- Undo 0009_date_url_fields: the rules and functions as 0007 left them. Refused while a date
-- or url field exists: delete those fields first (nothing is lost silently).
DO $$
BEGIN
    IF EXISTS (SELECT FROM custom_fields WHERE field_type::text IN ('date', 'url')) THEN
        RAISE EXCEPTION 'date or url fields exist: delete them before rolling back 0009_date_url_fields';
    END IF;
END
$$;

-- The view's value column changes shape: it goes and comes back as 0001 made it.
DROP VIEW video_field_values_readable;
CREATE OR REPLACE VIEW video_field_values_readable AS
SELECT l.name AS list_name,
       v.youtube_id,
       v.title AS video_title,
       f.name AS field_name,
       f.field_type,
       coalesce(fv.value_text, fv.value_numeric::text, fv.value_boolean::text) AS value,
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

DROP FUNCTION field_value_broken_rule(field_type, jsonb, numeric, text, date);
CREATE FUNCTION field_value_broken_rule(field_type field_type, config jsonb,
                                                   value_numeric numeric, value_text text)
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
    WHEN field_type = 'select' AND NOT (config -> 'options') ? value_text
        THEN 'video_field_values_select_option'
    WHEN field_type = 'text' AND char_length(value_text) > (config ->> 'max_length')::integer
        THEN 'video_field_values_text_length'
END;
COMMENT ON FUNCTION field_value_broken_rule(field_type, jsonb, numeric, text) IS
    'The rule a value breaks against its field''s config (rating above max_rating, number '
    'outside min..max or with more decimals, select value not an option, text longer than '
    'max_length), or NULL when it fits.';

DROP FUNCTION field_value_problem(text, text, jsonb, numeric, text, date);
CREATE FUNCTION field_value_problem(rule text, field_name text, config jsonb,
                                               value_numeric numeric, value_text text)
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
    WHEN 'video_field_values_select_option' THEN format(
        'value %L for field "%s" is not one of its options %s', value_text, field_name, config -> 'options')
    WHEN 'video_field_values_text_length' THEN format(
        'text for field "%s" is %s characters long, more than its max_length %s',
        field_name, char_length(value_text), config ->> 'max_length')
END;
COMMENT ON FUNCTION field_value_problem(text, text, jsonb, numeric, text) IS
    'A person-readable sentence for a rule named by field_value_broken_rule().';

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
                 field_value_broken_rule(f.field_type, f.config, n.value_numeric, n.value_text) AS rule
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id) AS checked
    WHERE rule IS NOT NULL
    LIMIT 1;

    IF FOUND THEN
        RAISE EXCEPTION 'rule %: %', bad.rule,
            field_value_problem(bad.rule, bad.name, bad.config, bad.value_numeric, bad.value_text)
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
            WHEN 'select' THEN EXISTS (SELECT FROM video_field_values
                                       WHERE field_id = OLD.id AND value_text IS NOT NULL)
            WHEN 'text' THEN EXISTS (SELECT FROM video_field_values
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
            SELECT v.video_id, v.value_numeric, v.value_text INTO bad
            FROM video_field_values AS v
            WHERE v.field_id = NEW.id AND v.value_numeric IS NOT NULL
              AND field_value_broken_rule(NEW.field_type, NEW.config, v.value_numeric, NULL) IS NOT NULL
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
    FROM (SELECT field_id,
                 CASE WHEN field_type NOT IN ('text', 'number') THEN value_text END AS value_text,
                 CASE WHEN field_type NOT IN ('text', 'number') THEN value_numeric END AS value_numeric,
                 value_boolean, delta
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

DROP INDEX video_field_values_text_trgm_idx;
DROP INDEX video_field_values_text_prefix_idx;
CREATE INDEX video_field_values_text_trgm_idx ON video_field_values
    USING gin (value_text gin_trgm_ops) WHERE field_type = 'text';
COMMENT ON INDEX video_field_values_text_trgm_idx IS
    'Serves "contains" on a text field: value_text ILIKE ''%x%'' (trigrams; the heap rechecks).';

CREATE INDEX video_field_values_text_prefix_idx ON video_field_values
    (field_id, (value_text COLLATE "C"), video_created_at, video_id) WHERE field_type = 'text';
COMMENT ON INDEX video_field_values_text_prefix_idx IS
    'Serves "starts_with" on a text field: field_id = F AND value_text COLLATE "C" LIKE ''x%'', '
    'one range read from the index alone.';

DROP STATISTICS video_field_values_date_by_field;
DROP INDEX video_field_values_date_idx;
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_url_format;
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_text_size;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_text_size
    CHECK (octet_length(value_text) <= 2000);
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_value_matches_type;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_value_matches_type CHECK (
    CASE field_type
        WHEN 'rating' THEN value_numeric IS NOT NULL
        WHEN 'number' THEN value_numeric IS NOT NULL
        WHEN 'boolean' THEN value_boolean IS NOT NULL
        WHEN 'select' THEN value_text IS NOT NULL
        WHEN 'text' THEN value_text IS NOT NULL
        ELSE false
    END);
ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_exactly_one_value;
ALTER TABLE video_field_values ADD CONSTRAINT video_field_values_exactly_one_value
    CHECK (num_nonnulls(value_text, value_numeric, value_boolean) = 1);
ALTER TABLE video_field_values DROP COLUMN value_date;
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_url_config;
ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_date_config;
DROP FUNCTION jsonb_is_iso_date(jsonb);
COMMENT ON TYPE field_type IS
    'Kinds of custom field; each stores its values in one column of video_field_values: '
    'rating and number -> value_numeric, select and text -> value_text, boolean -> value_boolean.';
