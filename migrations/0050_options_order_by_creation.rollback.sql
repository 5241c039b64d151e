-- Undo 0050_options_order_by_creation: the index by the first two options alone, as 0045 made it,
-- and cardinality() left to PostgreSQL's own marking.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION cardinality(anyarray) NOT LEAKPROOF;
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION app_indexed_comparisons() RETURNS regprocedure[]
    LANGUAGE sql IMMUTABLE
    RETURN ARRAY['numeric_eq(numeric, numeric)', 'numeric_ne(numeric, numeric)',
                 'numeric_lt(numeric, numeric)', 'numeric_le(numeric, numeric)',
                 'numeric_gt(numeric, numeric)', 'numeric_ge(numeric, numeric)',
                 'textlike(text, text)', 'texticlike(text, text)',
                 'arrayoverlap(anyarray, anyarray)', 'arraycontains(anyarray, anyarray)'
                ]::regprocedure[];
DROP INDEX video_field_values_options_order_idx;
CREATE INDEX video_field_values_options_order_idx ON video_field_values
    (field_id, list_id, (value_options[1]), (value_options[2]) NULLS FIRST)
    WHERE field_type = 'multi_select' AND value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_order_idx IS
    'Serves a page sorted by a multi_select field: its values by their first two options '
    '(valued_options_field and order_options_* in sql/video_search.sql).';
