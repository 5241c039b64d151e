-- Undo 0027_value_indexes_hold_list_id: the value indexes without list_id.

DROP INDEX video_field_values_numeric_idx;
CREATE INDEX video_field_values_numeric_idx
    ON video_field_values (field_id, value_numeric, video_created_at, video_id)
    WHERE value_numeric IS NOT NULL;
COMMENT ON INDEX video_field_values_numeric_idx IS
    'Serves filters and sorts on a rating or number field: field_id = F AND '
    'value_numeric = X, newest first.';

DROP INDEX video_field_values_text_idx;
CREATE INDEX video_field_values_text_idx
    ON video_field_values (field_id, value_text, video_created_at, video_id)
    WHERE value_text IS NOT NULL;
COMMENT ON INDEX video_field_values_text_idx IS
    'Serves filters and sorts on a select, text or url field: field_id = F AND '
    'value_text = X, newest first.';

DROP INDEX video_field_values_boolean_idx;
CREATE INDEX video_field_values_boolean_idx
    ON video_field_values (field_id, value_boolean, video_created_at, video_id)
    WHERE value_boolean IS NOT NULL;
COMMENT ON INDEX video_field_values_boolean_idx IS
    'Serves filters and sorts on a boolean field: field_id = F AND '
    'value_boolean = true, newest first.';

DROP INDEX video_field_values_date_idx;
CREATE INDEX video_field_values_date_idx
    ON video_field_values (field_id, value_date, video_created_at, video_id)
    WHERE value_date IS NOT NULL;
COMMENT ON INDEX video_field_values_date_idx IS
    'Serves filters and sorts on a date field: field_id = F AND value_date >= X, '
    'newest first within one date.';

DROP INDEX video_field_values_text_prefix_idx;
CREATE INDEX video_field_values_text_prefix_idx ON video_field_values
    (field_id, (value_text COLLATE "C"), video_created_at, video_id)
    WHERE field_type IN ('text', 'url');
COMMENT ON INDEX video_field_values_text_prefix_idx IS
    'Serves "starts_with" on a text or url field: field_id = F AND value_text '
    'COLLATE "C" LIKE ''x%'', one range read from the index alone.';

DROP INDEX video_field_values_text_recent_idx;
CREATE INDEX video_field_values_text_recent_idx ON video_field_values
    (field_id, video_created_at, video_id) INCLUDE (value_text)
    WHERE field_type IN ('text', 'url');
COMMENT ON INDEX video_field_values_text_recent_idx IS
    'Serves a page of many "contains" or "starts_with" matches: a text or url field''s values '
    'newest (or oldest) first, each checked from the index alone (stream_text_* in '
    'sql/video_search.sql).';

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
