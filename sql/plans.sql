-- Plans: how a transaction's statements are planned (app/db/plans.py). The app's transactions
-- plan each statement for its values (app/db/pool.py); the few checked to plan the same for
-- any values switch to one generic plan per statement and connection: here, or in a lookup
-- that precedes them (get_many in sql/custom_fields.sql).

-- name: plan_generically
-- From here on, plans each statement once for any values (the generic plan, kept by the
-- connection): for the transaction ($1 true), or for the connection when none is open.
SELECT set_config('plan_cache_mode', 'force_generic_plan', $1::boolean)

-- name: plan_without_memoize
-- From here on, plans without Memoize (a cache of a nested loop's inner rows by key): for the
-- transaction ($1 true), or for the connection when none is open. Where each key comes once, it
-- caches nothing, and its estimate of repeats hid the cost of probing row by row.
SELECT set_config('enable_memoize', 'off', $1::boolean)
