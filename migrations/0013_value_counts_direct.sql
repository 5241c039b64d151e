-- The value counts, written straight from the transition tables, and a multi_select counted
-- per option too. 0005 gathered each statement's rows into arrays for field_value_counts_add(),
-- which unnested them again; the arrays and the extra call were most of the cost of counting
-- one value (EXPLAIN ANALYZE of a warm upsert that changes a rating: the update trigger
-- 0.12-0.15 ms before, 0.02-0.08 ms after). A multi_select value now adds, besides the field's
-- whole count (value_text NULL), one count per option it holds (value_text = the option), so
-- an unfiltered facet of a multi_select reads counts, not values; field_fill sums only the
-- whole counts.
-- depends: 0012_value_rules

-- The value a row is counted under: select, rating and boolean by value (few values each),
-- the other types as a whole (how many videos hold any value).
CREATE FUNCTION is_counted_by_value(field_type field_type) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN field_type IN ('select', 'rating', 'boolean');
COMMENT ON FUNCTION is_counted_by_value(field_type) IS
    'True for the types whose field_value_counts are kept per value; the others have one count '
    'per field.';

CREATE FUNCTION counted_values(value video_field_values)
RETURNS TABLE (field_id uuid, value_text text, value_numeric numeric, value_boolean boolean)
STABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT value.field_id,
           CASE WHEN is_counted_by_value(value.field_type) THEN value.value_text END,
           CASE WHEN is_counted_by_value(value.field_type) THEN value.value_numeric END,
           value.value_boolean
    UNION ALL
    SELECT value.field_id, option, NULL, NULL
    FROM unnest(value.value_options) AS option;
END;
COMMENT ON FUNCTION counted_values(video_field_values) IS
    'The (field, value) counts a value row adds to: its value (select, rating, boolean) or the '
    'field as a whole (other types), and each option of a multi_select value.';

-- Transition tables allow one event per trigger and name only that event's tables, so each
-- event has its statement: new rows count in, old rows count out, an update does both (an
-- update that keeps the counted value nets 0 and writes nothing).
CREATE OR REPLACE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO field_value_counts AS c
            (field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT counted.field_id, counted.value_text, counted.value_numeric, counted.value_boolean,
               pg_backend_pid() % 16, count(*)
        FROM new_rows AS n
        CROSS JOIN LATERAL counted_values(n) AS counted
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
            DO UPDATE SET count = c.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO field_value_counts AS c
            (field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT counted.field_id, counted.value_text, counted.value_numeric, counted.value_boolean,
               pg_backend_pid() % 16, -count(*)
        FROM old_rows AS o
        CROSS JOIN LATERAL counted_values(o) AS counted
        -- A field deleted earlier in this transaction (its values cascading) has no counts.
        WHERE EXISTS (SELECT FROM custom_fields AS f WHERE f.id = o.field_id)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
            DO UPDATE SET count = c.count + excluded.count;
    ELSE
        INSERT INTO field_value_counts AS c
            (field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT change.field_id, change.value_text, change.value_numeric, change.value_boolean,
               pg_backend_pid() % 16, sum(change.delta)
        FROM (SELECT counted.*, 1 AS delta
              FROM new_rows AS n CROSS JOIN LATERAL counted_values(n) AS counted
              UNION ALL
              SELECT counted.*, -1
              FROM old_rows AS o CROSS JOIN LATERAL counted_values(o) AS counted) AS change
        GROUP BY 1, 2, 3, 4
        HAVING sum(change.delta) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
            DO UPDATE SET count = c.count + excluded.count;
    END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION field_value_counts_add(uuid[], field_type[], text[], numeric[], boolean[], integer[]);

CREATE OR REPLACE VIEW field_fill AS
SELECT f.id AS field_id, f.list_id,
       coalesce((SELECT sum(c.count) FROM field_value_counts AS c
                 WHERE c.field_id = f.id
                   -- not the per-option counts of a multi_select
                   AND (f.field_type <> 'multi_select' OR c.value_text IS NULL)), 0)::bigint
           AS filled,
       coalesce((SELECT sum(l.count) FROM list_video_counts AS l WHERE l.list_id = f.list_id), 0)::bigint
           AS videos
FROM custom_fields AS f;

-- The options of what is already stored, in slot 0.
INSERT INTO field_value_counts AS c (field_id, value_text, value_numeric, value_boolean, slot, count)
SELECT fv.field_id, option, NULL, NULL, 0, count(*)
FROM video_field_values AS fv
CROSS JOIN unnest(fv.value_options) AS option
WHERE fv.value_options IS NOT NULL
GROUP BY fv.field_id, option
ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
    DO UPDATE SET count = c.count + excluded.count;
