-- A multi_select field is counted per option too, for its facets: besides its one count of
-- the videos holding any value (value_text NULL), a count per option held (value_text = the
-- option). field_fill sums only the first kind. counted_values(row) names the counts a value
-- row adds to, once for the three trigger statements.
-- depends: 0013_value_counts_direct

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
