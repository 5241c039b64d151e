-- Undo 0053_config_change_sees_every_value: config changes checked in any isolation, as 0027 made it.
CREATE OR REPLACE FUNCTION custom_fields_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad video_field_values;
    has_values boolean := false;
BEGIN
    IF NEW.field_type IS DISTINCT FROM OLD.field_type THEN
        EXECUTE format('SELECT EXISTS (SELECT FROM video_field_values '
                       'WHERE field_id = $1 AND list_id = $2 AND %I IS NOT NULL)',
                       field_type_column(OLD.field_type))
        INTO has_values USING OLD.id, OLD.list_id;
    END IF;
    IF has_values THEN
        RAISE EXCEPTION 'rule custom_fields_type_change_with_values: field "%" has values, so its type stays %',
            OLD.name, OLD.field_type
            USING ERRCODE = 'check_violation', CONSTRAINT = 'custom_fields_type_change_with_values',
                  TABLE = 'custom_fields', COLUMN = 'field_type', DETAIL = format('field_id=%s', OLD.id);
    END IF;

    IF NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type THEN
        EXECUTE format('SELECT v.* FROM video_field_values AS v '
                       'WHERE v.field_id = $1 AND v.list_id = $3 AND v.%I IS NOT NULL '
                       'AND field_value_broken_rule($2, v) IS NOT NULL LIMIT 1',
                       field_type_column(NEW.field_type))
        INTO bad USING NEW.id, NEW, NEW.list_id;
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
