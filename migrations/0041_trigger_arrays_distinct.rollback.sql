-- Back to 0033's and 0025's arrays: a field's or list's id once per row.

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

CREATE OR REPLACE FUNCTION refuse_purged_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM bookmark_lists
        WHERE id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
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

CREATE OR REPLACE FUNCTION refuse_purged_fields() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    purged uuid;
BEGIN
    WITH alive AS MATERIALIZED (
        SELECT id FROM custom_fields
        WHERE id = ANY (ARRAY(SELECT field_id FROM new_rows))
          AND list_id = ANY (ARRAY(SELECT list_id FROM new_rows)) AND deleted_at IS NULL
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
