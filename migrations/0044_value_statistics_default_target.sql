-- The per-field statistics of numbers and dates back to the default target (100 MCV items).
-- 0014 raised them to 1000 because a range on one field ("Minutes >= 300") was estimated from
-- every field's values and planned as a hash join over every video. The search no longer lets
-- the planner choose that: the application picks the driving condition and the statement's
-- shape (an ordered value stream, or probes), so the larger lists only cost planning, which
-- matches each condition against every item. Measured on the 100k bench database, the
-- planning of every bench statement with 1000 and then 100 items: every plan the same, and
-- three_conditions 0.95 -> 0.72 ms, select_not_in 1.41 -> 1.08, two_conditions 0.41 -> 0.30,
-- date_eq_rare 0.32 -> 0.13, rating_eq 0.16 -> 0.13; without any extended statistics it was
-- slower than with 100 items (three_conditions 0.80 ms). `make bench` checks the plans.
-- ANALYZE then samples 30,000 rows instead of 300,000.
-- depends: 0043_names_unique_in_any_unicode_form

ALTER STATISTICS video_field_values_numeric_by_field SET STATISTICS -1;
ALTER STATISTICS video_field_values_date_by_field SET STATISTICS -1;
ANALYZE video_field_values;
