-- The value triggers read the fields of their rows by key, and return at once when their
-- statement wrote no row; a transaction that has entered its list sees only that list.
--
-- The policies of the tables keyed by list (0032) let a row through when its list is the
-- transaction's, else when owner_list_ids() holds it: a PL/pgSQL call (about 7 us) for every
-- row of another list that a statement meets. The app's statements name their list, so they
-- meet none; a trigger's join may not. video_field_values_check_rules() joined the new rows
-- with custom_fields on both keys, and PL/pgSQL plans that once per session, for the size of
-- the first batch: planned for 1,000 rows it hashed every field of every list (a sequential
-- scan), calling owner_list_ids() for each foreign one. Measured at 1M with 2,000 other lists
-- (4,000 foreign fields): the check took 29.3 ms instead of 1.3 ms, and a 1,000-value batch
-- 54 ms instead of 27, on every connection whose first write was a batch, and more with every
-- field anyone adds. The counts' DELETE branch had the same join (EXISTS on the field).
--
-- Both fixed:
-- * Once a list is entered, owner_list_ids() answers at once, with no list: a foreign row
--   costs the call and a setting's read (about 1 us), and the transaction sees its list only
--   (the app never reads another list in a transaction that entered one; a session naming
--   only its owner still sees all its lists). The policies are unchanged: a check written
--   into them (a CASE around the call) made every statement that reads a table under them
--   0.01-0.03 ms slower, measured at 1M (fields_of_video 1.61x -> 1.84x of the owning role).
--   Under Citus this also keeps a statement on a shard from reading the lists across shards.
-- * The triggers read custom_fields by the keys their rows hold (= ANY (ARRAY(...)), as
--   refuse_purged_fields() does): an index read, whatever size the plan was made for.
--
-- And one more cost of the value triggers: an INSERT ... ON CONFLICT DO UPDATE fires the
-- statement triggers of both INSERT and UPDATE, one side with no row, and each still ran its
-- queries (and locked their tables). Returning when the statement's rows are none: setting
-- one value's three INSERT-side triggers 0.084 -> 0.012 ms (EXPLAIN ANALYZE at 1M, as the app
-- role; execution 0.55 -> 0.49 ms).
-- depends: 0032_policies_by_the_requests_list

DO $$
BEGIN
    -- Qualified with the migration's schema, as in 0016.
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION owner_list_ids() RETURNS uuid[]
            LANGUAGE plpgsql STABLE PARALLEL SAFE COST 1
            AS $body$
        BEGIN
            IF current_setting('app.list_id', true) <> '' THEN
                RETURN NULL;
            END IF;
            RETURN (SELECT array_agg(id) FROM %1$I.bookmark_lists);
        END
            $body$
    $f$, current_schema());
END
$$;
COMMENT ON FUNCTION owner_list_ids() IS
    'The ids of the caller''s lists (bookmark_lists read under its own policy: owner = '
    'current_owner()), or NULL once the transaction has entered a list (current_list()), which '
    'it then sees alone. The policies of the tables keyed by list ask it for a row outside the '
    'transaction''s list: never in the app''s statements.';

CREATE OR REPLACE FUNCTION video_field_values_check_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    broken record;
BEGIN
    -- The other side of an INSERT ... ON CONFLICT DO UPDATE wrote no row: nothing to do.
    IF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    -- FOR SHARE makes a concurrent config change of these fields wait for this transaction,
    -- so custom_fields_check_change() sees these values before it accepts a new config.
    PERFORM FROM custom_fields
    WHERE id = ANY (ARRAY(SELECT field_id FROM new_rows))
      AND list_id = ANY (ARRAY(SELECT list_id FROM new_rows))
    ORDER BY id
    FOR SHARE;

    -- The happy path is this one query; the report is built only when something is broken.
    IF NOT EXISTS (SELECT FROM new_rows AS n
                   JOIN custom_fields AS f ON f.id = n.field_id AND f.list_id = n.list_id
                   WHERE f.id = ANY (ARRAY(SELECT field_id FROM new_rows))
                     AND f.list_id = ANY (ARRAY(SELECT list_id FROM new_rows))
                     AND field_value_broken_rule(f, n) IS NOT NULL) THEN
        RETURN NULL;
    END IF;

    SELECT count(*) AS rows,
           min(b.rule) FILTER (WHERE b.number = 1) AS rule,
           min(b.problem) FILTER (WHERE b.number = 1) AS problem,
           string_agg(format('field_id=%s video_id=%s %s: %s', b.field_id, b.video_id, b.rule,
                             b.problem), E'\n' ORDER BY b.number) FILTER (WHERE b.number <= 100)
               AS lines
    INTO broken
    FROM (SELECT n.video_id, n.field_id, checked.rule,
                 field_value_problem(checked.rule, f, n) AS problem,
                 row_number() OVER (ORDER BY n.video_id, n.field_id) AS number
          FROM new_rows AS n
          JOIN custom_fields AS f ON f.id = n.field_id AND f.list_id = n.list_id
          CROSS JOIN LATERAL (SELECT field_value_broken_rule(f, n) AS rule) AS checked
          WHERE f.id = ANY (ARRAY(SELECT field_id FROM new_rows))
            AND f.list_id = ANY (ARRAY(SELECT list_id FROM new_rows))
            AND checked.rule IS NOT NULL) AS b;

    RAISE EXCEPTION 'rule %: %', broken.rule,
        broken.problem || CASE WHEN broken.rows > 1
                               THEN format(' (and %s more rows break rules)', broken.rows - 1)
                               ELSE '' END
        USING ERRCODE = 'check_violation', CONSTRAINT = broken.rule,
              TABLE = 'video_field_values', DETAIL = broken.lines;
END
$$;

CREATE OR REPLACE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A statement that wrote no row (as the other side of an INSERT ... ON CONFLICT DO UPDATE
    -- always does) has nothing to count.
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT FROM old_rows) THEN
            RETURN NULL;
        END IF;
    ELSIF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO field_value_counts AS c
            (list_id, field_id, value_text, value_numeric, value_boolean, slot, count,
             sum_numeric)
        SELECT n.list_id, counted.field_id, counted.value_text, counted.value_numeric,
               counted.value_boolean, pg_backend_pid() % 16, count(*),
               coalesce(sum(counted.sum_numeric), 0)
        FROM new_rows AS n
        CROSS JOIN LATERAL counted_values(n) AS counted
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 2, 3, 4, 5, 1
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot, list_id)
            DO UPDATE SET count = c.count + excluded.count,
                          sum_numeric = c.sum_numeric + excluded.sum_numeric;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO field_value_counts AS c
            (list_id, field_id, value_text, value_numeric, value_boolean, slot, count,
             sum_numeric)
        SELECT o.list_id, counted.field_id, counted.value_text, counted.value_numeric,
               counted.value_boolean, pg_backend_pid() % 16, -count(*),
               -coalesce(sum(counted.sum_numeric), 0)
        FROM old_rows AS o
        CROSS JOIN LATERAL counted_values(o) AS counted
        -- A field deleted earlier in this transaction (its values cascading) has no counts.
        WHERE EXISTS (SELECT FROM custom_fields AS f
                      WHERE f.id = o.field_id AND f.list_id = o.list_id
                        AND f.id = ANY (ARRAY(SELECT field_id FROM old_rows))
                        AND f.list_id = ANY (ARRAY(SELECT list_id FROM old_rows)))
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 2, 3, 4, 5, 1
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot, list_id)
            DO UPDATE SET count = c.count + excluded.count,
                          sum_numeric = c.sum_numeric + excluded.sum_numeric;
    ELSE
        INSERT INTO field_value_counts AS c
            (list_id, field_id, value_text, value_numeric, value_boolean, slot, count,
             sum_numeric)
        SELECT change.list_id, change.field_id, change.value_text, change.value_numeric,
               change.value_boolean, pg_backend_pid() % 16, sum(change.delta),
               coalesce(sum(change.sum_delta), 0)
        -- Each row's signed change of the sum beside its delta: multiplying every row's sum by its
        -- delta cost a 1,000-value batch of ratings 0.35 ms more in its trigger.
        FROM (SELECT n.list_id, counted.field_id, counted.value_text, counted.value_numeric,
                     counted.value_boolean, 1 AS delta, counted.sum_numeric AS sum_delta
              FROM new_rows AS n CROSS JOIN LATERAL counted_values(n) AS counted
              UNION ALL
              SELECT o.list_id, counted.field_id, counted.value_text, counted.value_numeric,
                     counted.value_boolean, -1, -counted.sum_numeric
              FROM old_rows AS o CROSS JOIN LATERAL counted_values(o) AS counted) AS change
        GROUP BY 1, 2, 3, 4, 5
        -- A number changed from 10 to 20 keeps its count and moves its sum.
        HAVING sum(change.delta) <> 0 OR sum(change.sum_delta) <> 0
        ORDER BY 2, 3, 4, 5, 1
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot, list_id)
            DO UPDATE SET count = c.count + excluded.count,
                          sum_numeric = c.sum_numeric + excluded.sum_numeric;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION video_field_values_refuse_purged() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged record;
BEGIN
    -- The other side of an INSERT ... ON CONFLICT DO UPDATE wrote no row: nothing to do.
    IF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    WITH lists AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
        ORDER BY id
        FOR SHARE),
    fields AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
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
