-- Row-level security that leaves the planner's row estimates to the query's own conditions.
--
-- Found on the 100k bench database with 3,000 more lists of 500 other owners, as any shared
-- database has them (the bench's had one list). Under 0016's policies, as the app role:
-- "Rating >= 4" took 174 ms (0.7 ms as the owner), "Rating <> 3" 442 ms, a sort by rating
-- 216 ms, "Topics has all" 479 ms: every first page read all matches and sorted them.
--
-- Why: `list_id = ANY ((SELECT owner_list_ids()))` compares with an array the planner cannot see
-- at planning time, so it is estimated as ten equalities (scalararraysel): selectivity
-- 1 - (1 - 1/n_distinct)^10, about 10 / n_distinct. The planner then multiplies that with the
-- query's own `list_id = $1` as if the two were independent, though one implies the other. With
-- one list in the database the factor is 1; with 3,000 lists it is 1/300, so every estimate of
-- a list's rows was 300 times too low, and "walk the list newest first, probing each video"
-- looked dearer than "read every match and sort". Values (on field_id) did the same.
--
-- `array_position((SELECT owner_list_ids()), list_id) IS NOT NULL` keeps exactly the same rows,
-- and an IS NOT NULL on an expression without statistics is estimated 0.995: the query's own
-- conditions decide the estimate, and the plans are those of the owning role. Its price is a
-- scan of the caller's list (or field) ids per row read, where it was an index condition: tens
-- of nanoseconds for a few lists. A value index still answers alone (field_id is in it).
--
-- owner_field_ids() now reads custom_fields through its list index: with its policy no longer
-- an index condition, it read every field of every owner (2.3 ms with 9,000 fields).
-- depends: 0017_purges

DO $$
BEGIN
    -- Names qualified with the migration's schema, as in 0016: a session's temporary table (or
    -- pg_temp first in its search_path) must not stand in for what the policies read.
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION owner_field_ids() RETURNS uuid[]
            LANGUAGE plpgsql STABLE PARALLEL SAFE
            AS 'BEGIN RETURN (SELECT array_agg(id) FROM %1$I.custom_fields
                              WHERE list_id = ANY (%1$I.owner_list_ids())); END'
    $f$, current_schema());
END
$$;

DO $$
DECLARE
    tenant_table text;
    by_list constant text := 'array_position((SELECT owner_list_ids()), list_id) IS NOT NULL';
    by_field constant text := 'array_position((SELECT owner_field_ids()), field_id) IS NOT NULL';
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY['videos', 'field_schemas', 'schema_fields', 'tags',
        'video_tags', 'list_video_counts']
    LOOP
        EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)',
            tenant_table || '_of_owner', tenant_table, by_list, by_list);
    END LOOP;
    FOREACH tenant_table IN ARRAY ARRAY['video_field_values', 'field_value_counts']
    LOOP
        EXECUTE format('ALTER POLICY %I ON %I USING (%s) WITH CHECK (%s)',
            tenant_table || '_of_owner', tenant_table, by_field, by_field);
    END LOOP;
    -- A deleted field stays hidden to all but its purge, and the purge of its list (0017).
    EXECUTE format('ALTER POLICY custom_fields_of_owner ON custom_fields '
        'USING (%s AND (deleted_at IS NULL OR (SELECT current_purging()) IN (id, list_id))) '
        'WITH CHECK (%s)', by_list, by_list);
END
$$;
