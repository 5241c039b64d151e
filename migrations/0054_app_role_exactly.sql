-- app_role_ensure (make migrate) refused an existing app role that is a superuser or may
-- bypass row-level security, but not one that is a member of such a role: GRANT a superuser
-- role TO custom_fields_app, and the app role's SET ROLE read every owner's rows. Nor one
-- that may become a table's owner, which may turn row-level security off. And it granted
-- what the app needs without taking back what else the role had been given (TRUNCATE, CREATE
-- on the schema, yoyo's tables): issue 12 asks for exactly what it needs.
-- depends: 0053_config_change_sees_every_value

CREATE OR REPLACE FUNCTION app_role_ensure(role_name name, role_password text) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    tenant_tables CONSTANT text := 'bookmark_lists, videos, custom_fields, field_schemas, '
        'schema_fields, tags, video_tags, video_field_values, list_video_counts, '
        'field_value_counts, purges';
    role_row pg_roles;
    privileged name;
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
    -- What it may become (SET ROLE) counts as what it is, NOINHERIT or not.
    SELECT r.rolname INTO privileged FROM pg_roles AS r
    WHERE r.rolname <> role_name AND pg_has_role(role_name, r.oid, 'MEMBER')
      AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the app role % must be a plain LOGIN role: it is a member of %, which '
                        'may bypass row-level security or make roles or databases',
                        role_name, privileged;
    END IF;
    IF EXISTS (SELECT FROM pg_class WHERE pg_has_role(role_name, relowner, 'MEMBER')
                                      AND relnamespace = 'public'::regnamespace) THEN
        RAISE EXCEPTION 'the app role % must own no table, itself or through a role it is a '
                        'member of: an owner may turn row-level security off', role_name;
    END IF;
    -- Exactly what it needs: whatever else it was given on the schema and its tables (yoyo's
    -- included) is taken back first, in this transaction, so no session sees it without rights.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', role_name);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', role_name);
    EXECUTE format('REVOKE CREATE ON SCHEMA public FROM %I', role_name);
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
