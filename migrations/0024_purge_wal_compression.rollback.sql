-- Undo 0024_purge_wal_compression: app_role_ensure of 0017, and no role may set
-- wal_compression any more (as a superuser; otherwise the grants stay).

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
                      'fixes it by running: SELECT app_role_ensure(%L, NULL);', role_name;
    END IF;
END
$$;

DO $$
DECLARE
    grantee name;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        FOR grantee IN
            SELECT r.rolname FROM pg_parameter_acl AS p
            CROSS JOIN LATERAL aclexplode(p.paracl) AS acl
            JOIN pg_roles AS r ON r.oid = acl.grantee
            WHERE p.parname = 'wal_compression' AND acl.privilege_type = 'SET'
        LOOP
            EXECUTE format('REVOKE SET ON PARAMETER wal_compression FROM %I', grantee);
        END LOOP;
    END IF;
END
$$;
