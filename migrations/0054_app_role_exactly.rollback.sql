-- Undo 0054_app_role_exactly: app_role_ensure as 0036 made it.
CREATE OR REPLACE FUNCTION app_role_ensure(role_name name, role_password text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    tenant_tables CONSTANT text := 'bookmark_lists, videos, custom_fields, field_schemas, '
        'schema_fields, tags, video_tags, video_field_values, list_video_counts, '
        'field_value_counts, purges';
    role_row pg_roles;
    comparison regprocedure;
BEGIN
    SELECT * INTO role_row FROM pg_roles WHERE rolname = role_name;
    IF NOT FOUND THEN
        EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE '
                       'NOINHERIT NOREPLICATION PASSWORD %L', role_name, role_password);
    ELSIF role_row.rolsuper OR role_row.rolbypassrls OR role_row.rolcreaterole
          OR role_row.rolcreatedb OR NOT role_row.rolcanlogin THEN
        RAISE EXCEPTION 'the app role % must be a plain LOGIN role: no SUPERUSER, BYPASSRLS, '
                        'CREATEROLE or CREATEDB', role_name;
    END IF;
    IF EXISTS (SELECT FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles
                                                     WHERE rolname = role_name)
                                       AND relnamespace = 'public'::regnamespace) THEN
        RAISE EXCEPTION 'the app role % must own no table: it would bypass row-level security',
                        role_name;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), role_name);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', role_name);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', tenant_tables, role_name);
    EXECUTE format('GRANT SELECT ON field_fill, video_field_values_readable TO %I', role_name);

    -- See 0015_owners: the comparisons the value indexes need, marked LEAKPROOF.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        FOREACH comparison IN ARRAY app_indexed_comparisons() LOOP
            EXECUTE format('ALTER FUNCTION %s LEAKPROOF', comparison);
        END LOOP;
    ELSIF NOT app_comparisons_leakproof() THEN
        RAISE WARNING 'numeric, LIKE and array comparisons are not marked LEAKPROOF: under '
                      'row-level security their searches cannot use their indexes. A superuser '
                      'fixes it by running: SELECT app_role_ensure(%, NULL);',
                      quote_literal(role_name);
    END IF;

    -- The purge compresses the full-page images of its own WAL (sql/purges.sql,
    -- batch_settings); wal_compression is a superuser's setting, granted to the role here.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT SET ON PARAMETER wal_compression TO %I', role_name);
    ELSIF NOT has_parameter_privilege(role_name, 'wal_compression', 'SET') THEN
        RAISE WARNING 'the app role % may not set wal_compression: the background purge writes '
                      'its WAL uncompressed. A superuser fixes it by running: '
                      'SELECT app_role_ensure(%, NULL);', role_name, quote_literal(role_name);
    END IF;

    -- "No DDL", temporary objects included: PostgreSQL lets every role create them through
    -- PUBLIC's TEMPORARY right on the database. Taken from PUBLIC (the database's owner keeps
    -- its own) by the owner or a superuser, and warned about otherwise.
    IF has_database_privilege(role_name, current_database(), 'TEMPORARY') THEN
        IF pg_has_role(current_user, (SELECT datdba FROM pg_database
                                      WHERE datname = current_database()), 'USAGE') THEN
            EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC, %I',
                           current_database(), role_name);
        ELSE
            RAISE WARNING 'the app role % may create temporary tables: the database''s owner '
                          'fixes it by running: SELECT app_role_ensure(%, NULL);', role_name,
                          quote_literal(role_name);
        END IF;
    END IF;
END
$$;
