-- Plans: how a transaction's statements are planned (app/db/plans.py). The app's transactions
-- plan each statement for its values (app/db/pool.py); the few checked to plan the same for
-- any values switch to one generic plan per statement and connection: here, or in a lookup
-- that precedes them (get_many in sql/custom_fields.sql).

-- name: plan_generically
-- From here on, plans each statement once for any values (the generic plan).
-- The connection keeps that plan. It applies to the transaction ($1 true), or to the connection
-- when none is open.
SELECT set_config('plan_cache_mode', 'force_generic_plan', $1::boolean)

-- name: plan_to_count
-- From here on, plans for reading many rows once into few groups.
-- It applies to the transaction ($1 true), or to the connection when none is open. Without
-- Memoize (a cache of a nested loop's inner rows by key): each key comes once, so it caches
-- nothing, and its estimate of repeats hid the cost of probing row by row. And grouping by
-- hashing, not sorting: the planner cannot know how few distinct values many rows hold (its
-- estimate multiplies the columns'), and sorted 172,784 values to disk to group them into 5,871
-- (a hash of them fits in 2 MB; more memory for hashing instead made the big hash joins of
-- broad facets 10% slower at 1M).
SELECT set_config('enable_memoize', 'off', $1::boolean),
       set_config('enable_sort', 'off', $1::boolean)
