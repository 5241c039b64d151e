-- A multi_select field's values in the order a sort by the field shows them, as far as a btree
-- can hold it: by their first two options (a set's second is NULL when it has one, and sorts
-- first, as the shorter array does). A sort by the field read and sorted the field's every
-- option set before (no btree entry holds a set of 200 options: 0.9-1.4 s for a first page at
-- 1M); it now reads the sets of the first (value_options[1], value_options[2]) groups from this
-- index and sorts only those by the whole set (an incremental sort: order_options_* in
-- sql/video_search.sql), about 1,000 sets at 1M for 20 options.
-- Its predicate says value_options IS NOT NULL besides the type, and only the sort's head
-- states both: a multi_select's stream, planned generically (one row estimated), also states
-- the type, and with this index on offer it read a common option's 4,056 matches in this
-- order and sorted them by creation (22 ms against 0.2 at 100k).
-- Runs as an owner that bypasses row-level security (as every migration: README, "Access").
-- depends: 0044_value_statistics_default_target

CREATE INDEX video_field_values_options_order_idx ON video_field_values
    (field_id, list_id, (value_options[1]), (value_options[2]) NULLS FIRST)
    WHERE field_type = 'multi_select' AND value_options IS NOT NULL;
COMMENT ON INDEX video_field_values_options_order_idx IS
    'Serves a page sorted by a multi_select field: its values by their first two options '
    '(valued_options_field and order_options_* in sql/video_search.sql).';
