-- Undo 0057_option_sets_compared_leakproof: array_gt() and array_lt() left to PostgreSQL's own
-- marking.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION array_gt(anyarray, anyarray) NOT LEAKPROOF;
        ALTER FUNCTION array_lt(anyarray, anyarray) NOT LEAKPROOF;
    END IF;
END
$$;
CREATE OR REPLACE FUNCTION app_indexed_comparisons() RETURNS regprocedure[]
    LANGUAGE sql IMMUTABLE
    RETURN ARRAY['numeric_eq(numeric, numeric)', 'numeric_ne(numeric, numeric)',
                 'numeric_lt(numeric, numeric)', 'numeric_le(numeric, numeric)',
                 'numeric_gt(numeric, numeric)', 'numeric_ge(numeric, numeric)',
                 'textlike(text, text)', 'texticlike(text, text)',
                 'arrayoverlap(anyarray, anyarray)', 'arraycontains(anyarray, anyarray)',
                 'cardinality(anyarray)'
                ]::regprocedure[];
