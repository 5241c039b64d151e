-- updated_at says when a row last changed: an UPDATE that changes nothing keeps it.
-- A PATCH with an empty body, a rename to the same name, or setting a value a video already
-- holds (one value or in a batch) wrote the row again and moved updated_at, so a client that
-- syncs by updated_at saw changes that were none. The new row is compared with the old,
-- column by column (IS DISTINCT FROM: NULLs alike, a numeric by value, a jsonb config by
-- content). A statement that sets updated_at itself touches the row: it moves to the
-- statement's time, as before (replacing a schema's fields touches the schema:
-- sql/field_schemas.sql, touch).
-- depends: 0041_trigger_arrays_distinct

CREATE OR REPLACE FUNCTION set_timestamps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.created_at := OLD.created_at;
        -- statement_timestamp(), not now(): two statements of one transaction get distinct
        -- times, so an UPDATE moves updated_at even inside the transaction that inserted the
        -- row. The microsecond covers the statements of one DO block or function, which share
        -- one time.
        IF NEW IS DISTINCT FROM OLD THEN
            NEW.updated_at := greatest(statement_timestamp(),
                                       OLD.updated_at + interval '1 microsecond');
        END IF;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION set_timestamps() IS
    'Trigger: keeps created_at fixed, and moves updated_at on every UPDATE that changes the row '
    'or sets updated_at (a touch).';
