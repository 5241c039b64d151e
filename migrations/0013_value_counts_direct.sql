-- The value counts, written straight from the transition tables. 0005 gathered each
-- statement's rows into arrays and passed them to field_value_counts_add(), which unnested
-- them again; the arrays and the extra call were most of the cost of counting one value
-- (EXPLAIN ANALYZE of a warm upsert: the update trigger 0.12-0.15 ms before, 0.02-0.08 after).
-- depends: 0012_value_rules

-- The value a row is counted under: select, rating and boolean by value (few values each),
-- the other types as a whole (how many videos hold any value).
CREATE FUNCTION is_counted_by_value(field_type field_type) RETURNS boolean
IMMUTABLE PARALLEL SAFE LANGUAGE sql
RETURN field_type IN ('select', 'rating', 'boolean');
COMMENT ON FUNCTION is_counted_by_value(field_type) IS
    'True for the types whose field_value_counts are kept per value; the others have one count '
    'per field.';

-- Transition tables allow one event per trigger and name only that event's tables, so each
-- event has its statement: new rows count in, old rows count out, an update does both (an
-- update that keeps the counted value nets 0 and writes nothing).
CREATE OR REPLACE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO field_value_counts AS c
            (field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT n.field_id,
               CASE WHEN is_counted_by_value(n.field_type) THEN n.value_text END,
               CASE WHEN is_counted_by_value(n.field_type) THEN n.value_numeric END,
               n.value_boolean, pg_backend_pid() % 16, count(*)
        FROM new_rows AS n
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
            DO UPDATE SET count = c.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO field_value_counts AS c
            (field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT o.field_id,
               CASE WHEN is_counted_by_value(o.field_type) THEN o.value_text END,
               CASE WHEN is_counted_by_value(o.field_type) THEN o.value_numeric END,
               o.value_boolean, pg_backend_pid() % 16, -count(*)
        FROM old_rows AS o
        -- A field deleted earlier in this transaction (its values cascading) has no counts.
        WHERE EXISTS (SELECT FROM custom_fields AS f WHERE f.id = o.field_id)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
            DO UPDATE SET count = c.count + excluded.count;
    ELSE
        INSERT INTO field_value_counts AS c
            (field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT change.field_id,
               CASE WHEN is_counted_by_value(change.field_type) THEN change.value_text END,
               CASE WHEN is_counted_by_value(change.field_type) THEN change.value_numeric END,
               change.value_boolean, pg_backend_pid() % 16, sum(change.delta)
        FROM (SELECT n.field_id, n.field_type, n.value_text, n.value_numeric, n.value_boolean,
                     1 AS delta
              FROM new_rows AS n
              UNION ALL
              SELECT o.field_id, o.field_type, o.value_text, o.value_numeric, o.value_boolean, -1
              FROM old_rows AS o) AS change
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
