-- A page after a cursor sorted by a multi_select compares whole option sets in its keyset
-- (after_options_* in sql/video_search.sql: the first option, the set, created_at and id past
-- the cursor's). Under row-level security a row comparison is an index condition only when
-- each of its comparisons is LEAKPROOF, and array_gt() and array_lt() are not marked so: the
-- keyset was only a filter, and as the app a page read the field's sets from the first
-- (at 100k, page 10 of Topics under Watched = true: 68 ms, 5 without row-level security).
-- They compare two arrays element by element with the element type's comparison (text's,
-- marked LEAKPROOF by PostgreSQL) and raise no error that depends on a value, as
-- arrayoverlap() and arraycontains(), which 0015 marks: they join the built-ins a
-- superuser's make migrate marks (app_role_ensure).
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0056_rows_per_list_capped

CREATE OR REPLACE FUNCTION app_indexed_comparisons() RETURNS regprocedure[]
    LANGUAGE sql IMMUTABLE
    RETURN ARRAY['numeric_eq(numeric, numeric)', 'numeric_ne(numeric, numeric)',
                 'numeric_lt(numeric, numeric)', 'numeric_le(numeric, numeric)',
                 'numeric_gt(numeric, numeric)', 'numeric_ge(numeric, numeric)',
                 'textlike(text, text)', 'texticlike(text, text)',
                 'arrayoverlap(anyarray, anyarray)', 'arraycontains(anyarray, anyarray)',
                 'cardinality(anyarray)', 'array_gt(anyarray, anyarray)',
                 'array_lt(anyarray, anyarray)'
                ]::regprocedure[];
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION array_gt(anyarray, anyarray) LEAKPROOF;
        ALTER FUNCTION array_lt(anyarray, anyarray) LEAKPROOF;
    END IF;
END
$$;
