-- A config of the wrong shape is refused by its own rule (custom_fields_<type>_config, a 422)
-- whether or not the field holds values. The check of a config change against the stored
-- values ran in the BEFORE trigger, ahead of the CHECK constraints, so a malformed config on a
-- field with values was reported as breaking them: a rating's max_rating 0 as "outside 0..0"
-- (409), a date's min "2020-02-30" as PostgreSQL's cast error. It now runs AFTER the row is
-- written, once the constraints hold. The type change stays BEFORE: refused there, it names
-- its rule ahead of the values' foreign key (whose triggers fire first among the AFTER ones).
-- depends: 0057_option_sets_compared_leakproof

CREATE OR REPLACE FUNCTION custom_fields_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
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
    RETURN NEW;
END
$$;

-- As 0053 wrote it, after the row: the transaction's isolation first, then the stored values.
CREATE FUNCTION custom_fields_check_config_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad video_field_values;
BEGIN
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
    RETURN NULL;
END
$$;

CREATE TRIGGER custom_fields_check_config_change AFTER UPDATE OF config ON custom_fields
    FOR EACH ROW WHEN (NEW.config IS DISTINCT FROM OLD.config AND NEW.field_type = OLD.field_type)
    EXECUTE FUNCTION custom_fields_check_config_change();
