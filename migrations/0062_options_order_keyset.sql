-- video_field_values_options_order_idx (0050) holds a multi_select's sets by their first
-- option, then their second NULLS FIRST (a set of one has none). A page after a cursor could
-- start its walk only at the cursor's first option: a row comparison cannot order a NULL
-- first, so the sets before the cursor that share its first option were read again and
-- filtered (at 1M, page 10 of Topics under Watched = true read 3,256 of them: 8.61 ms
-- against page 1's 5.17). The second option is now held as '' for a set of one: the same
-- order (no option is blank, and '' sorts before any other text), and one a row comparison of
-- every key of the index can start at (after_options_short_*). As a CASE, not coalesce(),
-- which row-level security takes for leaky: a comparison of it would stay a filter.
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0061_raw_sql_keeps_rows_whole

DROP INDEX video_field_values_options_order_idx;
CREATE INDEX video_field_values_options_order_idx ON video_field_values
    (field_id, list_id, (value_options[1]),
     (CASE WHEN value_options[2] IS NULL THEN '' ELSE value_options[2] END),
     (cardinality(value_options) > 2), video_created_at, video_id)
    WHERE field_type = 'multi_select' AND value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_order_idx IS
    'Serves a page sorted by a multi_select field: its values by their first two options, '
    'those of at most two options by creation (valued_options_field, valued_options_keys, '
    'options_split_*, order_options_* and after_options_* in sql/video_search.sql).';
-- The planner reads the share of sets of more than two options from the new index's
-- statistics: gathered now, not at autovacuum's next ANALYZE.
ANALYZE video_field_values;
