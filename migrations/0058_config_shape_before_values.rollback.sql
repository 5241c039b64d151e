-- Undo 0058_config_shape_before_values: the config change checked against the stored values
-- in the BEFORE trigger again, as 0053 made it.
DROP TRIGGER custom_fields_check_config_change ON custom_fields;
DROP FUNCTION custom_fields_check_config_change();
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
        IF current_setting('transaction_isolation') = 'repeatable read' THEN
            RAISE EXCEPTION 'rule custom_fields_config_change_isolation: the config of field "%" changes in READ COMMITTED or SERIALIZABLE only: in REPEATABLE READ its check would not see values written since the transaction began',
                NEW.name
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'custom_fields_config_change_isolation',
                      TABLE = 'custom_fields', COLUMN = 'config',
                      DETAIL = format('field_id=%s', NEW.id);
        END IF;
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
