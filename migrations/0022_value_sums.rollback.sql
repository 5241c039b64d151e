-- Undo 0022_value_sums: the counts without their sums, the count trigger and counted_values of
-- 0021 and 0013.
CREATE OR REPLACE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO field_value_counts AS c
            (list_id, field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT n.list_id, counted.field_id, counted.value_text, counted.value_numeric,
               counted.value_boolean, pg_backend_pid() % 16, count(*)
        FROM new_rows AS n
        CROSS JOIN LATERAL counted_values(n) AS counted
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 2, 3, 4, 5, 1
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot, list_id)
            DO UPDATE SET count = c.count + excluded.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO field_value_counts AS c
            (list_id, field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT o.list_id, counted.field_id, counted.value_text, counted.value_numeric,
               counted.value_boolean, pg_backend_pid() % 16, -count(*)
        FROM old_rows AS o
        CROSS JOIN LATERAL counted_values(o) AS counted
        -- A field deleted earlier in this transaction (its values cascading) has no counts.
        WHERE EXISTS (SELECT FROM custom_fields AS f
                      WHERE f.id = o.field_id AND f.list_id = o.list_id)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 2, 3, 4, 5, 1
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot, list_id)
            DO UPDATE SET count = c.count + excluded.count;
    ELSE
        INSERT INTO field_value_counts AS c
            (list_id, field_id, value_text, value_numeric, value_boolean, slot, count)
        SELECT change.list_id, change.field_id, change.value_text, change.value_numeric,
               change.value_boolean, pg_backend_pid() % 16, sum(change.delta)
        FROM (SELECT n.list_id, counted.*, 1 AS delta
              FROM new_rows AS n CROSS JOIN LATERAL counted_values(n) AS counted
              UNION ALL
              SELECT o.list_id, counted.*, -1
              FROM old_rows AS o CROSS JOIN LATERAL counted_values(o) AS counted) AS change
        GROUP BY 1, 2, 3, 4, 5
        HAVING sum(change.delta) <> 0
        ORDER BY 2, 3, 4, 5, 1
        ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot, list_id)
            DO UPDATE SET count = c.count + excluded.count;
    END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION counted_values(video_field_values);
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

ALTER TABLE field_value_counts DROP COLUMN sum_numeric;
