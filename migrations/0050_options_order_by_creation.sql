-- video_field_values_options_order_idx (0045) holds a multi_select's sets by their first two
-- options; a sort by the field sorted each group of sets sharing them whole (at 1M the first,
-- the 7,413 sets of the single option "topic00", for a page of 50). A set of one or two
-- options is all of its group's first two options, so the sets of a group that hold at most
-- two are equal and the sort orders them by creation: the index now says so, holding after
-- the two options whether the set has more than two, then the video's creation and id. A walk
-- sorted by the field (valued_options_keys) reads the sets of at most two options straight
-- from it in the page's order, and those of more sorted by groups as before, each part up to
-- a page (options_split_* in sql/video_search.sql). Statements that still read the field in
-- the order of its first two options (a hashed walk beside an equality) read it as they did.
-- cardinality() is not marked LEAKPROOF, so under row-level security the parts' conditions on
-- it were only filters (at 1M the first part read the group again: 5.04 ms against 1.78
-- without RLS); it joins the built-ins a superuser's make migrate marks (app_role_ensure,
-- 0015): it reads an array's size and raises no error. A subscript's NullTest, which needs
-- no mark, was estimated at 0.5% of the sets (no statistics of a partial index's
-- expression are used), and the planner sorted the field's every set for a page.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0049_url_port_in_range

DROP INDEX video_field_values_options_order_idx;
CREATE INDEX video_field_values_options_order_idx ON video_field_values
    (field_id, list_id, (value_options[1]), (value_options[2]) NULLS FIRST,
     (cardinality(value_options) > 2), video_created_at, video_id)
    WHERE field_type = 'multi_select' AND value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_order_idx IS
    'Serves a page sorted by a multi_select field: its values by their first two options, '
    'those of at most two options by creation (valued_options_field, valued_options_keys, '
    'options_split_* and order_options_* in sql/video_search.sql).';
-- The planner reads the share of sets of more than two options from the new index's
-- statistics: gathered now, not at autovacuum's next ANALYZE.
ANALYZE video_field_values;

CREATE OR REPLACE FUNCTION app_indexed_comparisons() RETURNS regprocedure[]
    LANGUAGE sql IMMUTABLE
    RETURN ARRAY['numeric_eq(numeric, numeric)', 'numeric_ne(numeric, numeric)',
                 'numeric_lt(numeric, numeric)', 'numeric_le(numeric, numeric)',
                 'numeric_gt(numeric, numeric)', 'numeric_ge(numeric, numeric)',
                 'textlike(text, text)', 'texticlike(text, text)',
                 'arrayoverlap(anyarray, anyarray)', 'arraycontains(anyarray, anyarray)',
                 'cardinality(anyarray)'
                ]::regprocedure[];
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION cardinality(anyarray) LEAKPROOF;
    END IF;
END
$$;
