-- Undo 0013_value_counts_direct: no count per option, and the counts go through
-- field_value_counts_add() again.
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

CREATE FUNCTION field_value_counts_add(field_ids uuid[], field_types field_type[],
    value_texts text[], value_numerics numeric[], value_booleans boolean[], deltas integer[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO field_value_counts AS c
        (field_id, value_text, value_numeric, value_boolean, slot, count)
    SELECT change.field_id, change.value_text, change.value_numeric, change.value_boolean,
           pg_backend_pid() % 16, sum(change.delta)
    FROM (SELECT field_id,
                 CASE WHEN field_type IN ('select', 'rating', 'boolean') THEN value_text END
                     AS value_text,
                 CASE WHEN field_type IN ('select', 'rating', 'boolean') THEN value_numeric END
                     AS value_numeric,
                 value_boolean, delta
          FROM unnest(field_ids, field_types, value_texts, value_numerics, value_booleans, deltas)
               AS v (field_id, field_type, value_text, value_numeric, value_boolean, delta))
         AS change
    -- A field deleted earlier in this transaction (its values cascading) has no counts to keep.
    WHERE EXISTS (SELECT FROM custom_fields AS f WHERE f.id = change.field_id)
    GROUP BY change.field_id, change.value_text, change.value_numeric, change.value_boolean
    HAVING sum(change.delta) <> 0
    ORDER BY change.field_id, change.value_text, change.value_numeric, change.value_boolean
    ON CONFLICT (field_id, value_text, value_numeric, value_boolean, slot)
        DO UPDATE SET count = c.count + excluded.count;
END
$$;

CREATE OR REPLACE FUNCTION video_field_values_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM field_value_counts_add(array_agg(field_id), array_agg(field_type),
            array_agg(value_text), array_agg(value_numeric), array_agg(value_boolean),
            array_agg(1))
        FROM new_rows HAVING count(*) > 0;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM field_value_counts_add(array_agg(field_id), array_agg(field_type),
            array_agg(value_text), array_agg(value_numeric), array_agg(value_boolean),
            array_agg(-1))
        FROM old_rows HAVING count(*) > 0;
    ELSE
        PERFORM field_value_counts_add(array_agg(field_id), array_agg(field_type),
            array_agg(value_text), array_agg(value_numeric), array_agg(value_boolean),
            array_agg(delta))
        FROM (SELECT *, 1 AS delta FROM new_rows UNION ALL SELECT *, -1 FROM old_rows) AS change
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION counted_values(video_field_values);
DROP FUNCTION is_counted_by_value(field_type);
