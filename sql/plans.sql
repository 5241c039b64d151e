-- Plans: how the rest of a transaction's statements are planned (app/db/plans.py). The app's
-- transactions begin with one generic plan per statement and connection (app/db/pool.py); the
-- search's statements, whose best plan depends on the values, switch to planning each run.

-- name: plan_for_values
-- From here on, plans each statement for its values ($1 true: a custom plan, made anew every
-- run) or once for any values ($1 false: the generic plan, kept by the connection); for the
-- transaction only ($2 true), or for the connection when no transaction is open ($2 false).
SELECT set_config('plan_cache_mode',
                  CASE WHEN $1::boolean THEN 'force_custom_plan' ELSE 'force_generic_plan' END,
                  $2::boolean)
