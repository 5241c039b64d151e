-- Ready for Citus (distributed by list_id), rules 1 and 2 for two more tables:
-- field_value_counts gains list_id (its field's list), and its unique key and its foreign key
-- to its field hold it; nothing then references custom_fields by id alone, so custom_fields'
-- primary key holds list_id too (citus_docs develop/reference_ddl.rst; citus
-- commands/index.c and commands/foreign_constraint.c). list_id goes last in each key, so every
-- lookup by field (the facets, field_fill, the count trigger's upsert) and by a field's id
-- reads the same index by its prefix. The count trigger takes list_id from the value rows.
-- depends: 0020_keys_hold_list_id

ALTER TABLE field_value_counts ADD COLUMN list_id uuid;
UPDATE field_value_counts AS c SET list_id = f.list_id FROM custom_fields AS f
WHERE f.id = c.field_id;
ALTER TABLE field_value_counts ALTER COLUMN list_id SET NOT NULL,
    DROP CONSTRAINT field_value_counts_field_id_fkey,
    ADD CONSTRAINT field_value_counts_field_fkey FOREIGN KEY (list_id, field_id)
        REFERENCES custom_fields (list_id, id) ON DELETE CASCADE,
    DROP CONSTRAINT field_value_counts_key,
    ADD CONSTRAINT field_value_counts_key UNIQUE NULLS NOT DISTINCT
        (field_id, value_text, value_numeric, value_boolean, slot, list_id);
COMMENT ON COLUMN field_value_counts.list_id IS
    'The field''s list (the distribution column under Citus); the foreign key keeps it so.';

ALTER TABLE custom_fields DROP CONSTRAINT custom_fields_pkey,
    ADD CONSTRAINT custom_fields_pkey PRIMARY KEY (id, list_id);

-- As in 0013, with each count's list_id: a field's values are all of its list, so list_id
-- splits no count, and the keys are taken in the order of the unique key.
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

-- As in 0013, joining the counts by list too (a co-located join under Citus).
CREATE OR REPLACE VIEW field_fill WITH (security_invoker = true) AS
SELECT f.id AS field_id, f.list_id,
       coalesce((SELECT sum(c.count) FROM field_value_counts AS c
                 WHERE c.field_id = f.id AND c.list_id = f.list_id
                   -- not the per-option counts of a multi_select
                   AND (f.field_type <> 'multi_select' OR c.value_text IS NULL)), 0)::bigint
           AS filled,
       coalesce((SELECT sum(l.count) FROM list_video_counts AS l WHERE l.list_id = f.list_id), 0)::bigint
           AS videos
FROM custom_fields AS f;
