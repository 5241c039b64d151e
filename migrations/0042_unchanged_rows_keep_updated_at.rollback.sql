-- Back to 0001's set_timestamps(): every UPDATE moves updated_at, changed or not.

CREATE OR REPLACE FUNCTION set_timestamps() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- statement_timestamp(), not now(): two statements of one transaction get distinct times,
    -- so an UPDATE moves updated_at even inside the transaction that inserted the row. The
    -- microsecond covers the statements of one DO block or function, which share one time.
    IF TG_OP = 'UPDATE' THEN
        NEW.created_at := OLD.created_at;
        NEW.updated_at := greatest(statement_timestamp(), OLD.updated_at + interval '1 microsecond');
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION set_timestamps() IS
    'Trigger: keeps created_at fixed and moves updated_at on every UPDATE.';
