-- A number field's average from the kept counts: each count of a number field (the field as a
-- whole) keeps the sum of the values it counts, beside how many. Unfiltered facets then answer
-- a number's avg without reading its values; min and max come from the ends of its value index,
-- as a date's do. Measured at 1M before (make bench, facets of Minutes, 300,300 values): the avg
-- read every value of the field, 90-257 ms.
-- The sum is kept like the count: per slot (no hot row), in the same upsert, so it is exact and
-- transactional with the values. A change of a number's value moves the sum but not the count:
-- the update trigger writes when either changes.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0021_counts_and_fields_keys_hold_list_id

ALTER TABLE field_value_counts ADD COLUMN sum_numeric numeric NOT NULL DEFAULT 0;
COMMENT ON COLUMN field_value_counts.sum_numeric IS
    'The sum of the values counted, for a number field''s count (0 for every other count): with '
    'count, the field''s average (facets_of_list in sql/video_facets.sql).';

-- The value a row is counted under, and now what it adds to the sum: a number's value.
DROP FUNCTION counted_values(video_field_values);
CREATE FUNCTION counted_values(value video_field_values)
RETURNS TABLE (field_id uuid, value_text text, value_numeric numeric, value_boolean boolean,
               sum_numeric numeric)
STABLE PARALLEL SAFE LANGUAGE sql
BEGIN ATOMIC
    SELECT value.field_id,
           CASE WHEN is_counted_by_value(value.field_type) THEN value.value_text END,
           CASE WHEN is_counted_by_value(value.field_type) THEN value.value_numeric END,
           value.value_boolean,
           CASE WHEN value.field_type = 'number' THEN value.value_numeric END
    UNION ALL
    SELECT value.field_id, option, NULL, NULL, NULL
    FROM unnest(value.value_options) AS option;
END;
COMMENT ON FUNCTION counted_values(video_field_values) IS
    'The (field, value) counts a value row adds to: its value (select, rating, boolean) or the '
    'field as a whole (other types), and each option of a multi_select value; with what it adds '
    'to the count''s sum (a number''s value, NULL for the others: no arithmetic for them).';

-- As in 0021, with the sums.
CREATE OR REPLACE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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
                      WHERE f.id = o.field_id AND f.list_id = o.list_id)
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

-- The sums of the values already kept: each number field's whole sum on one of its counts
-- (the lowest slot; the slots only add up).
WITH sums AS (
    SELECT fv.list_id, fv.field_id, sum(fv.value_numeric) AS sum_numeric
    FROM video_field_values AS fv
    WHERE fv.field_type = 'number'
    GROUP BY fv.list_id, fv.field_id
), first_slots AS (
    SELECT DISTINCT ON (c.list_id, c.field_id) c.list_id, c.field_id, c.slot
    FROM field_value_counts AS c
    JOIN sums AS s ON s.list_id = c.list_id AND s.field_id = c.field_id
    WHERE c.value_text IS NULL AND c.value_numeric IS NULL AND c.value_boolean IS NULL
    ORDER BY c.list_id, c.field_id, c.slot
)
UPDATE field_value_counts AS c
SET sum_numeric = s.sum_numeric
FROM first_slots AS fs
JOIN sums AS s ON s.list_id = fs.list_id AND s.field_id = fs.field_id
WHERE c.list_id = fs.list_id AND c.field_id = fs.field_id AND c.slot = fs.slot
  AND c.value_text IS NULL AND c.value_numeric IS NULL AND c.value_boolean IS NULL;
