-- Undo 0021_counts_and_fields_keys_hold_list_id: the count trigger and field_fill of 0013,
-- custom_fields keyed by id, and field_value_counts without list_id.
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

CREATE OR REPLACE VIEW field_fill WITH (security_invoker = true) AS
SELECT f.id AS field_id, f.list_id,
       coalesce((SELECT sum(c.count) FROM field_value_counts AS c
                 WHERE c.field_id = f.id
                   -- not the per-option counts of a multi_select
                   AND (f.field_type <> 'multi_select' OR c.value_text IS NULL)), 0)::bigint
           AS filled,
       coalesce((SELECT sum(l.count) FROM list_video_counts AS l WHERE l.list_id = f.list_id), 0)::bigint
           AS videos
FROM custom_fields AS f;

ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_pkey,
    ADD CONSTRAINT custom_fields_pkey PRIMARY KEY (id);
ALTER TABLE field_value_counts DROP CONSTRAINT field_value_counts_field_fkey,
    ADD CONSTRAINT field_value_counts_field_id_fkey FOREIGN KEY (field_id)
        REFERENCES custom_fields (id) ON DELETE CASCADE,
    DROP CONSTRAINT field_value_counts_key,
    ADD CONSTRAINT field_value_counts_key UNIQUE NULLS NOT DISTINCT
        (field_id, value_text, value_numeric, value_boolean, slot),
    DROP COLUMN list_id;
