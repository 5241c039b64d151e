-- Plans: how a transaction's statements are planned (app/db/plans.py). The app's transactions
-- begin with one generic plan per statement and connection (app/db/pool.py); a search whose
-- best plan depends on its values switches to planning each run in its field lookup
-- (get_many_planning_for_values in sql/custom_fields.sql).

-- name: plan_generically
-- From here on, plans each statement once for any values (the generic plan, kept by the
-- connection): for the transaction ($1 true), or for the connection when none is open.
SELECT set_config('plan_cache_mode', 'force_generic_plan', $1::boolean)
