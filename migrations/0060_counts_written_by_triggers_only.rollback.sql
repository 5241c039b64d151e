-- Undo 0060_counts_written_by_triggers_only: the count triggers run as the caller again, the
-- purge deletes a list's count itself, and app_role_ensure grants DML on the counts (as 0054).
ALTER FUNCTION videos_count() SECURITY INVOKER RESET search_path;
ALTER FUNCTION video_field_values_count() SECURITY INVOKER RESET search_path;

CREATE OR REPLACE FUNCTION purge_list_step(list uuid, max_rows integer) RETURNS bigint
    LANGUAGE plpgsql
    -- Planned as the owner would be: every step reads by key (see 0017).
    SET enable_seqscan = off
    SET plan_cache_mode = auto
    AS $$
DECLARE
    videos_per_batch integer;
    batch uuid[];
    done bigint := 0;
    step bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM bookmark_lists WHERE id = list AND deleted_at IS NOT NULL) THEN
        RETURN 0;  -- gone already, or alive: nothing to purge
    END IF;
    -- A video carries at most one value per field, and its tag links.
    SELECT greatest(1, max_rows / (2 + count(*))) INTO videos_per_batch
    FROM custom_fields WHERE list_id = list;
    batch := ARRAY(SELECT id FROM videos WHERE list_id = list LIMIT videos_per_batch);
    IF cardinality(batch) > 0 THEN
        DELETE FROM video_field_values WHERE video_id = ANY (batch) AND list_id = list;
        GET DIAGNOSTICS step = ROW_COUNT;
        done := done + step;
        DELETE FROM video_tags WHERE video_id = ANY (batch) AND list_id = list;
        GET DIAGNOSTICS step = ROW_COUNT;
        done := done + step;
        DELETE FROM videos WHERE id = ANY (batch) AND list_id = list;
        GET DIAGNOSTICS step = ROW_COUNT;
        RETURN done + step;
    END IF;
    DELETE FROM tags
    WHERE id = ANY (ARRAY(SELECT id FROM tags WHERE list_id = list LIMIT max_rows))
      AND list_id = list;
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM schema_fields AS sf
    USING (SELECT f.schema_id, f.field_id
           FROM field_schemas AS s
           JOIN schema_fields AS f ON f.schema_id = s.id AND f.list_id = s.list_id
           WHERE s.list_id = list LIMIT max_rows) AS doomed
    WHERE sf.schema_id = doomed.schema_id AND sf.field_id = doomed.field_id
      AND sf.list_id = list;
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM field_schemas
    WHERE id = ANY (ARRAY(SELECT id FROM field_schemas WHERE list_id = list LIMIT max_rows))
      AND list_id = list;
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    -- Their counts go by cascade; no value is left.
    DELETE FROM custom_fields
    WHERE id = ANY (ARRAY(SELECT id FROM custom_fields WHERE list_id = list LIMIT max_rows))
      AND list_id = list;
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM list_video_counts WHERE list_id = list;
    DELETE FROM bookmark_lists WHERE id = list AND deleted_at IS NOT NULL;
    GET DIAGNOSTICS step = ROW_COUNT;
    RETURN step;
END
$$;

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
