-- A list holds at most 500 live fields, 500 schemas and 1,000 tags. Their collections are
-- answered whole (GET .../custom-fields, /schemas, /tags have no pages), so the rows behind
-- one answer are bounded where they are written: issue 6's bounded pages, for psql writers
-- too (5,000 fields inserted in psql made a 1 MB answer). 500 fields is Airtable's bound per
-- table. The count is of the statement's lists, each under a transaction-level advisory lock
-- of class 2 ("rows per list"), so two writers cannot both take the last place.
-- depends: 0055_readable_view_hides_deleted

CREATE FUNCTION refuse_rows_past_list_cap() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    lists uuid[] := ARRAY(SELECT DISTINCT list_id FROM new_rows ORDER BY 1);
    cap CONSTANT integer := TG_ARGV[0]::integer;
    full_list uuid;
BEGIN
    PERFORM pg_advisory_xact_lock(2, hashtext(TG_TABLE_NAME || ':' || l::text))
    FROM unnest(lists) AS l;
    IF TG_TABLE_NAME = 'custom_fields' THEN
        SELECT c.list_id INTO full_list FROM custom_fields AS c
        WHERE c.list_id = ANY (lists) AND c.deleted_at IS NULL
        GROUP BY c.list_id HAVING count(*) > cap LIMIT 1;
    ELSIF TG_TABLE_NAME = 'field_schemas' THEN
        SELECT s.list_id INTO full_list FROM field_schemas AS s
        WHERE s.list_id = ANY (lists)
        GROUP BY s.list_id HAVING count(*) > cap LIMIT 1;
    ELSE
        SELECT t.list_id INTO full_list FROM tags AS t
        WHERE t.list_id = ANY (lists)
        GROUP BY t.list_id HAVING count(*) > cap LIMIT 1;
    END IF;
    IF full_list IS NOT NULL THEN
        RAISE EXCEPTION 'rule %_per_list: a list holds at most % % (list %)', TG_TABLE_NAME, cap,
            CASE TG_TABLE_NAME WHEN 'custom_fields' THEN 'live custom fields'
                               WHEN 'field_schemas' THEN 'field schemas' ELSE 'tags' END,
            full_list
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_per_list',
                  TABLE = TG_TABLE_NAME, COLUMN = 'list_id';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION refuse_rows_past_list_cap() IS
    'Trigger: refuses a statement that leaves a list with more rows of its table than the '
    'trigger''s argument (rule <table>_per_list).';

CREATE TRIGGER custom_fields_per_list AFTER INSERT ON custom_fields
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rows_past_list_cap(500);
CREATE TRIGGER field_schemas_per_list AFTER INSERT ON field_schemas
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rows_past_list_cap(500);
CREATE TRIGGER tags_per_list AFTER INSERT ON tags
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rows_past_list_cap(1000);
