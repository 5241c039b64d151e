-- The value indexes hold list_id after field_id (#13, Citus rule 4: a statement that names
-- the distribution column of every table it reads goes to one shard; citus_docs
-- reference_workarounds.rst, multi_router_planner.c). Every search and facets statement that
-- reads values by field (a condition's stream or range, a sort by a field, a text sample, a
-- number's min and max) now also says list_id = the list, and these indexes answer that from
-- the index alone, as before: without list_id in them each value read would visit the heap.
-- After field_id rather than first: a field belongs to one list, so each field's range is
-- the same range as before, and a reader naming only the field still finds it by prefix.
-- The check of a field's change of type or config reads the field's values by its list too
-- (custom_fields_check_change, the same function as in 0012 but for list_id).
-- Not changed: the trigram and options GIN indexes (their matches are read from the heap
-- anyway, where list_id is) and the per-type field indexes of the purge (it deletes the rows).
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0026_values_keyed_by_list

DROP INDEX video_field_values_numeric_idx;
CREATE INDEX video_field_values_numeric_idx
    ON video_field_values (field_id, list_id, value_numeric, video_created_at, video_id)
    WHERE value_numeric IS NOT NULL;
COMMENT ON INDEX video_field_values_numeric_idx IS
    'Serves filters and sorts on a rating or number field: field_id = F AND list_id = L AND '
    'value_numeric = X, newest first.';

DROP INDEX video_field_values_text_idx;
CREATE INDEX video_field_values_text_idx
    ON video_field_values (field_id, list_id, value_text, video_created_at, video_id)
    WHERE value_text IS NOT NULL;
COMMENT ON INDEX video_field_values_text_idx IS
    'Serves filters and sorts on a select, text or url field: field_id = F AND list_id = L AND '
    'value_text = X, newest first.';

DROP INDEX video_field_values_boolean_idx;
CREATE INDEX video_field_values_boolean_idx
    ON video_field_values (field_id, list_id, value_boolean, video_created_at, video_id)
    WHERE value_boolean IS NOT NULL;
COMMENT ON INDEX video_field_values_boolean_idx IS
    'Serves filters and sorts on a boolean field: field_id = F AND list_id = L AND '
    'value_boolean = true, newest first.';

DROP INDEX video_field_values_date_idx;
CREATE INDEX video_field_values_date_idx
    ON video_field_values (field_id, list_id, value_date, video_created_at, video_id)
    WHERE value_date IS NOT NULL;
COMMENT ON INDEX video_field_values_date_idx IS
    'Serves filters and sorts on a date field: field_id = F AND list_id = L AND value_date >= X, '
    'newest first within one date.';

DROP INDEX video_field_values_text_prefix_idx;
CREATE INDEX video_field_values_text_prefix_idx ON video_field_values
    (field_id, list_id, (value_text COLLATE "C"), video_created_at, video_id)
    WHERE field_type IN ('text', 'url');
COMMENT ON INDEX video_field_values_text_prefix_idx IS
    'Serves "starts_with" on a text or url field: field_id = F AND list_id = L AND value_text '
    'COLLATE "C" LIKE ''x%'', one range read from the index alone.';

DROP INDEX video_field_values_text_recent_idx;
CREATE INDEX video_field_values_text_recent_idx ON video_field_values
    (field_id, list_id, video_created_at, video_id) INCLUDE (value_text)
    WHERE field_type IN ('text', 'url');
COMMENT ON INDEX video_field_values_text_recent_idx IS
    'Serves a page of many "contains" or "starts_with" matches: a text or url field''s values '
    'newest (or oldest) first, each checked from the index alone (stream_text_* in '
    'sql/video_search.sql).';

-- A type change is refused while the field has values, a config change while it would strand
-- one; both read the field's values, in its list, through its type's value index (the column
-- name comes from field_type_column()).
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
