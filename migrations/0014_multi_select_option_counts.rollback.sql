-- Undo 0014_multi_select_option_counts: no count per option.
DELETE FROM field_value_counts AS c
USING custom_fields AS f
WHERE f.id = c.field_id AND f.field_type::text = 'multi_select' AND c.value_text IS NOT NULL;

CREATE OR REPLACE VIEW field_fill AS
SELECT f.id AS field_id, f.list_id,
       coalesce((SELECT sum(c.count) FROM field_value_counts AS c WHERE c.field_id = f.id), 0)::bigint
           AS filled,
       coalesce((SELECT sum(l.count) FROM list_video_counts AS l WHERE l.list_id = f.list_id), 0)::bigint
           AS videos
FROM custom_fields AS f;

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

DROP FUNCTION counted_values(video_field_values);
