-- Deleting big things: a list or a field is marked deleted at once (deleted_at) and purged
-- afterwards in small batches (purges, purge_next_batch). One transaction deleting a list of a
-- million videos held millions of row locks past the statement timeout and was never done.
--
-- From the moment deleted_at is set:
--   - row-level security hides the list with everything in it, and the field (its values stay
--     in their list until purged; every reader finds values through their field);
--   - its name is free again (custom_fields_name_unique covers live fields only);
--   - the database refuses any row attaching to it (refuse_purged_lists, refuse_purged_fields),
--     whoever writes, with a lock that conflicts with the marking UPDATE, so no write slips in
--     between;
--   - a row in purges says what remains to be done; the app's purge worker takes it from there.
-- Only the transaction purging an object (app.purging = its id) still sees it.
-- depends: 0016_cheaper_policies

ALTER TABLE bookmark_lists ADD COLUMN deleted_at timestamptz;
COMMENT ON COLUMN bookmark_lists.deleted_at IS
    'When the list was deleted; NULL while it lives. A deleted list and everything in it is '
    'hidden by row-level security and purged in the background (see purges); it cannot come '
    'back.';
ALTER TABLE custom_fields ADD COLUMN deleted_at timestamptz;
COMMENT ON COLUMN custom_fields.deleted_at IS
    'When the field was deleted; NULL while it lives. A deleted field is hidden by row-level '
    'security, its name is free, and its values are purged in the background (see purges).';

DROP INDEX custom_fields_name_unique;
CREATE UNIQUE INDEX custom_fields_name_unique ON custom_fields (list_id, lower(btrim(name)))
    WHERE deleted_at IS NULL;
COMMENT ON INDEX custom_fields_name_unique IS
    'A live field''s name is unique within its list, ignoring case and surrounding spaces; a '
    'deleted field''s name is free at once.';

-- Deleting a custom_fields row makes its foreign key's cascade look for the field's values by
-- (list_id, field_id, field_type); no index served that (the value indexes are partial), so
-- each field row deleted read the whole values table: ~1-2 s at 1M videos, once per field of
-- a purged list. A plain (field_id) index would serve it, but the search's planner takes it
-- too, reading all of a field's values and sorting them instead of walking a value index in
-- the page's order (search_select_eq at 20k: 5.7 ms and off its plan). So one partial index
-- per type, WHERE field_type = '<type>': only a query naming the type can use it, which the
-- cascade does (field_type is in the foreign key) and the search never does. Deduplicated, a
-- field id costs a few bytes per value row, and each value row is in exactly one of them.
DO $$
DECLARE
    type_name text;
BEGIN
    FOREACH type_name IN ARRAY enum_range(NULL::field_type)::text[] LOOP
        EXECUTE format('CREATE INDEX %I ON video_field_values (field_id) WHERE field_type = %L',
                       'video_field_values_' || type_name || '_field_idx', type_name);
        EXECUTE format('COMMENT ON INDEX %I IS %L', 'video_field_values_' || type_name || '_field_idx',
                       'Serves deleting a ' || type_name || ' field: its foreign key''s cascade and '
                       'the purge of its values (only a query naming the type can use it).');
    END LOOP;
END
$$;

CREATE FUNCTION current_purging() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('app.purging', true), '')::uuid;
COMMENT ON FUNCTION current_purging() IS
    'The deleted list or field this transaction marks or purges (the transaction-local setting '
    'app.purging), or NULL: row-level security shows a deleted object to that transaction only.';

-- The list policy hides deleted lists; every other tenant policy reads bookmark_lists, so the
-- things in a deleted list disappear with it, in the InitPlan each statement runs once (no
-- per-row check: the search's plans are unchanged). WITH CHECK stays on the owner alone: the
-- row that marks a list deleted is still the owner's.
DROP POLICY bookmark_lists_of_owner ON bookmark_lists;
CREATE POLICY bookmark_lists_of_owner ON bookmark_lists
    USING (owner = (SELECT current_owner())
           AND (deleted_at IS NULL OR id = (SELECT current_purging())))
    WITH CHECK (owner = (SELECT current_owner()));

-- A deleted field is hidden to all but its purge, and the purge of its list.
DROP POLICY custom_fields_of_owner ON custom_fields;
CREATE POLICY custom_fields_of_owner ON custom_fields
    USING (list_id = ANY ((SELECT owner_list_ids())::uuid[])
           AND (deleted_at IS NULL OR (SELECT current_purging()) IN (id, list_id)))
    WITH CHECK (list_id = ANY ((SELECT owner_list_ids())::uuid[]));

------------------------------------------------------------------------------------------------
-- The purge queue
------------------------------------------------------------------------------------------------

CREATE TABLE purges (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner          text        NOT NULL,
    list_id        uuid        NOT NULL,
    field_id       uuid,
    requested_at   timestamptz NOT NULL DEFAULT statement_timestamp(),
    rows_estimated bigint      NOT NULL DEFAULT 0,
    rows_purged    bigint      NOT NULL DEFAULT 0,
    batches        integer     NOT NULL DEFAULT 0,
    last_batch_at  timestamptz,
    -- No foreign keys: what a purge names is gone when it is done.
    CONSTRAINT purges_one_per_target UNIQUE NULLS NOT DISTINCT (list_id, field_id)
);
COMMENT ON TABLE purges IS
    'Deleted lists (field_id NULL) and fields whose rows are still being purged, one row each, '
    'removed when the purge is done. rows_estimated: the kept counts at deletion (videos and '
    'values); rows_purged and batches grow with each batch.';
COMMENT ON COLUMN purges.owner IS
    'The owner of the list: the purge speaks for them (app.owner), so row-level security '
    'applies to it like to any request.';

ALTER TABLE purges ENABLE ROW LEVEL SECURITY;
ALTER TABLE purges FORCE ROW LEVEL SECURITY;
CREATE POLICY purges_of_owner ON purges
    USING (owner = (SELECT current_owner()))
    WITH CHECK (owner = (SELECT current_owner()));

CREATE FUNCTION current_purger() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(current_setting('app.purger', true), '') = 'on';
COMMENT ON FUNCTION current_purger() IS
    'True in a transaction of the purge worker (app.purger = on): it sees every owner''s purges, '
    'to pick the next; their rows it sees only as their owner.';
CREATE POLICY purges_for_purger ON purges
    USING ((SELECT current_purger()))
    WITH CHECK ((SELECT current_purger()));

------------------------------------------------------------------------------------------------
-- Marking: deleted for good, and queued
------------------------------------------------------------------------------------------------

CREATE FUNCTION refuse_undelete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rule %_deleted_for_good: a deleted % cannot come back (its purge is under way)',
        TG_TABLE_NAME, CASE TG_TABLE_NAME WHEN 'bookmark_lists' THEN 'list' ELSE 'field' END
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_deleted_for_good',
              TABLE = TG_TABLE_NAME, COLUMN = 'deleted_at', DETAIL = format('id=%s', OLD.id);
END
$$;
CREATE TRIGGER bookmark_lists_deleted_for_good
    BEFORE UPDATE OF deleted_at ON bookmark_lists
    FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS DISTINCT FROM OLD.deleted_at)
    EXECUTE FUNCTION refuse_undelete();
CREATE TRIGGER custom_fields_deleted_for_good
    BEFORE UPDATE OF deleted_at ON custom_fields
    FOR EACH ROW WHEN (OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS DISTINCT FROM OLD.deleted_at)
    EXECUTE FUNCTION refuse_undelete();

-- Whoever marks (the API, or an UPDATE typed in psql) queues the purge. The estimate comes
-- from the kept counts, which the marking transaction still sees.
CREATE FUNCTION queue_purge() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'bookmark_lists' THEN
        INSERT INTO purges (owner, list_id, rows_estimated)
        SELECT NEW.owner, NEW.id,
               (SELECT coalesce(sum(count), 0) FROM list_video_counts WHERE list_id = NEW.id)
               + (SELECT coalesce(sum(filled), 0) FROM field_fill WHERE list_id = NEW.id);
    ELSE
        INSERT INTO purges (owner, list_id, field_id, rows_estimated)
        SELECT l.owner, NEW.list_id, NEW.id,
               (SELECT coalesce(sum(filled), 0) FROM field_fill WHERE field_id = NEW.id)
        FROM bookmark_lists AS l WHERE l.id = NEW.list_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER bookmark_lists_queue_purge
    AFTER UPDATE OF deleted_at ON bookmark_lists
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION queue_purge();
CREATE TRIGGER custom_fields_queue_purge
    AFTER UPDATE OF deleted_at ON custom_fields
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
    EXECUTE FUNCTION queue_purge();

------------------------------------------------------------------------------------------------
-- Nothing attaches to a deleted list or field
------------------------------------------------------------------------------------------------

-- A foreign key check takes FOR KEY SHARE, which the marking UPDATE (a non-key column) does not
-- wait for: it alone would let a row attach to a list marked a moment later. FOR SHARE does
-- conflict with it: a writer that locked first makes the marking wait until it commits (its
-- rows are then purged with the rest); one that comes second waits for the marking, and then
-- the lock re-reads the row and drops it as deleted. One statement each, as a write pays it. Row-level security
-- already refuses most such rows for the app; this also holds for the owning role and for
-- the race, and names the rule.
CREATE FUNCTION refuse_purged_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id IN (SELECT list_id FROM new_rows) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.list_id INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM alive WHERE alive.id = n.list_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rule bookmark_lists_deleted: list % does not exist or is deleted', purged
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'bookmark_lists_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'list_id',
                  DETAIL = format('Key (list_id)=(%s) is not present in table "bookmark_lists".',
                                  purged);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION refuse_purged_lists() IS
    'Trigger: refuses rows of a list that is deleted (being purged), locking the lists FOR SHARE '
    'so that the UPDATE marking one deleted and these rows are ordered.';

CREATE FUNCTION refuse_purged_fields() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id IN (SELECT field_id FROM new_rows) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.field_id INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM alive WHERE alive.id = n.field_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'rule custom_fields_deleted: custom field % does not exist or is deleted',
            purged
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'custom_fields_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'field_id',
                  DETAIL = format('Key (field_id)=(%s) is not present in table "custom_fields".',
                                  purged);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION refuse_purged_fields() IS
    'Trigger: refuses values and schema places of a field that is deleted (being purged), '
    'locking the fields FOR SHARE so that the UPDATE marking one deleted and these rows are '
    'ordered.';

-- Values check both parents in one statement: a value write is the hot path, and an upsert
-- fires both its INSERT and its UPDATE statement triggers.
CREATE FUNCTION video_field_values_refuse_purged() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged record;
BEGIN
    WITH lists AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id IN (SELECT list_id FROM new_rows) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE),
    fields AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id IN (SELECT field_id FROM new_rows) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE)
    SELECT n.list_id, n.field_id, EXISTS (SELECT FROM lists WHERE lists.id = n.list_id) AS list_alive
    INTO purged
    FROM new_rows AS n
    WHERE NOT EXISTS (SELECT FROM lists WHERE lists.id = n.list_id)
       OR NOT EXISTS (SELECT FROM fields WHERE fields.id = n.field_id)
    LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF NOT purged.list_alive THEN
        RAISE EXCEPTION 'rule bookmark_lists_deleted: list % does not exist or is deleted',
            purged.list_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'bookmark_lists_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'list_id',
                  DETAIL = format('Key (list_id)=(%s) is not present in table "bookmark_lists".',
                                  purged.list_id);
    ELSE
        RAISE EXCEPTION 'rule custom_fields_deleted: custom field % does not exist or is deleted',
            purged.field_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'custom_fields_deleted',
                  TABLE = TG_TABLE_NAME, COLUMN = 'field_id',
                  DETAIL = format('Key (field_id)=(%s) is not present in table "custom_fields".',
                                  purged.field_id);
    END IF;
END
$$;
COMMENT ON FUNCTION video_field_values_refuse_purged() IS
    'Trigger: refuses values of a deleted list or field (refuse_purged_lists and '
    'refuse_purged_fields in one statement).';

DO $$
DECLARE
    child text;
BEGIN
    FOREACH child IN ARRAY ARRAY['videos', 'custom_fields', 'field_schemas', 'schema_fields',
                                 'tags', 'video_tags']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION refuse_purged_lists()',
                       child || '_refuse_purged_lists_insert', child);
    END LOOP;
END
$$;
CREATE TRIGGER schema_fields_refuse_purged_fields_insert
    AFTER INSERT ON schema_fields REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_purged_fields();
CREATE TRIGGER video_field_values_refuse_purged_insert
    AFTER INSERT ON video_field_values REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_refuse_purged();
-- An upsert that finds the row updates it: a value changing in a deleted field is refused too.
CREATE TRIGGER video_field_values_refuse_purged_update
    AFTER UPDATE ON video_field_values REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION video_field_values_refuse_purged();

------------------------------------------------------------------------------------------------
-- The purge, one batch per call
------------------------------------------------------------------------------------------------

-- One step of a list purge, at most about max_rows rows: the next videos with their values
-- and tag links (values and links first, by primary key, so the videos' cascades find nothing
-- left to do); once no video is left, the tags, the schemas' fields, the schemas and the fields
-- in turn; at last the counts and the list row. Every statement names the list, which is
-- deleted: nothing alive is touched.
-- Every statement of a step reads by key; a sequential scan with LIMIT could look cheaper to
-- the planner (a field on every video), and would then read past the rows earlier batches
-- deleted, longer each batch. Hence enable_seqscan = off for the steps. And plan_cache_mode =
-- auto, whatever the app's sessions say (force_custom_plan): the cascade of each video deleted
-- is then planned once, not once per row (that tripled a list batch's time), while the
-- cascade of a field row keeps a custom plan, which sees the type and uses its index (a
-- generic plan could not, and costs far more).
CREATE FUNCTION purge_list_step(list uuid, max_rows integer) RETURNS bigint
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = auto AS $$
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
        DELETE FROM video_field_values WHERE video_id = ANY (batch);
        GET DIAGNOSTICS step = ROW_COUNT;
        done := done + step;
        DELETE FROM video_tags WHERE video_id = ANY (batch);
        GET DIAGNOSTICS step = ROW_COUNT;
        done := done + step;
        DELETE FROM videos WHERE id = ANY (batch);
        GET DIAGNOSTICS step = ROW_COUNT;
        RETURN done + step;
    END IF;
    DELETE FROM tags WHERE id = ANY (ARRAY(SELECT id FROM tags WHERE list_id = list LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM schema_fields AS sf
    USING (SELECT f.schema_id, f.field_id
           FROM field_schemas AS s JOIN schema_fields AS f ON f.schema_id = s.id
           WHERE s.list_id = list LIMIT max_rows) AS doomed
    WHERE sf.schema_id = doomed.schema_id AND sf.field_id = doomed.field_id;
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM field_schemas
    WHERE id = ANY (ARRAY(SELECT id FROM field_schemas WHERE list_id = list LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    -- Their counts go by cascade; no value is left.
    DELETE FROM custom_fields
    WHERE id = ANY (ARRAY(SELECT id FROM custom_fields WHERE list_id = list LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM list_video_counts WHERE list_id = list;
    DELETE FROM bookmark_lists WHERE id = list AND deleted_at IS NOT NULL;
    GET DIAGNOSTICS step = ROW_COUNT;
    RETURN step;
END
$$;
COMMENT ON FUNCTION purge_list_step(uuid, integer) IS
    'One batch of the purge of a deleted list (about max_rows rows); 0 when nothing is left.';

-- One step of a field purge: the next values (by video_field_values_<type>_field_idx), then
-- its places in schemas and the field row (its counts go by cascade).
CREATE FUNCTION purge_field_step(field uuid, max_rows integer) RETURNS bigint
LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = auto AS $$
DECLARE
    type_of field_type;
    step bigint;
BEGIN
    SELECT f.field_type INTO type_of FROM custom_fields AS f
    WHERE f.id = field AND f.deleted_at IS NOT NULL;
    IF NOT FOUND THEN
        RETURN 0;  -- gone already (perhaps with its list), or alive: nothing to purge
    END IF;
    -- ctid: the rows just read, without a join the planner could turn into a scan.
    DELETE FROM video_field_values
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM video_field_values
                            WHERE field_id = field AND field_type = type_of LIMIT max_rows));
    GET DIAGNOSTICS step = ROW_COUNT;
    IF step > 0 THEN RETURN step; END IF;
    DELETE FROM schema_fields WHERE field_id = field;
    GET DIAGNOSTICS step = ROW_COUNT;
    DELETE FROM custom_fields WHERE id = field AND deleted_at IS NOT NULL;
    RETURN step + CASE WHEN FOUND THEN 1 ELSE 0 END;
END
$$;
COMMENT ON FUNCTION purge_field_step(uuid, integer) IS
    'One batch of the purge of a deleted field (about max_rows rows); 0 when nothing is left.';

-- The worker's one call per batch, in its own short transaction: take the oldest purge no other
-- transaction holds (FOR UPDATE SKIP LOCKED: two workers never run a batch of the same purge at
-- once), speak for its owner, run one step, record it; a purge whose step finds nothing left is
-- removed. A list waits for the purges of its fields, so two purges never delete the same rows.
-- A purge whose object is not deleted (or no longer exists) deletes nothing: every step names
-- a deleted list or field, and row-level security shows the purge nothing else that is deleted.
CREATE FUNCTION purge_next_batch(max_rows integer)
RETURNS TABLE (purge_id bigint, list_id uuid, field_id uuid, rows_purged bigint, finished boolean)
LANGUAGE plpgsql AS $$
DECLARE
    job purges;
    target uuid;
    step bigint;
BEGIN
    PERFORM set_config('app.purger', 'on', true);
    SELECT * INTO job FROM purges AS p
    WHERE p.field_id IS NOT NULL
       OR NOT EXISTS (SELECT FROM purges AS f
                      WHERE f.list_id = p.list_id AND f.field_id IS NOT NULL)
    ORDER BY p.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED;
    PERFORM set_config('app.purger', '', true);
    IF job.id IS NULL THEN
        RETURN;
    END IF;
    target := coalesce(job.field_id, job.list_id);
    PERFORM set_config('app.owner', job.owner, true);
    PERFORM set_config('app.purging', target::text, true);

    IF job.field_id IS NULL THEN
        step := purge_list_step(job.list_id, max_rows);
    ELSE
        step := purge_field_step(job.field_id, max_rows);
    END IF;

    IF step > 0 THEN
        UPDATE purges AS p
        SET rows_purged = p.rows_purged + step, batches = p.batches + 1,
            last_batch_at = clock_timestamp()
        WHERE p.id = job.id;
    ELSE
        DELETE FROM purges AS p WHERE p.id = job.id;
    END IF;
    RETURN QUERY SELECT job.id, job.list_id, job.field_id, step, step = 0;
END
$$;
COMMENT ON FUNCTION purge_next_batch(integer) IS
    'Runs one batch (about max_rows rows) of the oldest purge no other transaction is running; '
    'no row when there is nothing to do. finished: the purge found nothing left and is removed.';

CREATE FUNCTION purge_backlog()
RETURNS TABLE (pending bigint, rows_estimated bigint, rows_purged bigint, oldest timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.purger', 'on', true);
    RETURN QUERY SELECT count(*), coalesce(sum(p.rows_estimated), 0)::bigint,
                        coalesce(sum(p.rows_purged), 0)::bigint, min(p.requested_at)
                 FROM purges AS p;
    PERFORM set_config('app.purger', '', true);
END
$$;
COMMENT ON FUNCTION purge_backlog() IS
    'Every owner''s pending purges in sum (no ids, no owners), for /health.';

------------------------------------------------------------------------------------------------
-- The app's role may use the queue
------------------------------------------------------------------------------------------------

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
