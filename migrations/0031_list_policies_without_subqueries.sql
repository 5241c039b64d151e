-- The policies of lists and purges hold no subquery (#13, Citus rule 6): create_distributed_table
-- refuses a table whose policy holds one (citus commands/policy.c, ErrorIfUnsupportedPolicy).
-- `owner = (SELECT current_owner())` ran the function once per statement, as an InitPlan;
-- `owner = current_owner()` is inlined as `owner = nullif(current_setting('app.owner', true),
-- '')`, a setting read per row, still an index condition on bookmark_lists_owner_newest_idx:
-- the same rows, and these tables are read a few rows at a time. The policies of the tables
-- keyed by list keep theirs until their design is chosen (README, Scaling out).
-- depends: 0030_value_key_covers_values

ALTER POLICY bookmark_lists_of_owner ON bookmark_lists
    USING (owner = current_owner() AND (deleted_at IS NULL OR id = current_purging()))
    WITH CHECK (owner = current_owner());
ALTER POLICY purges_of_owner ON purges
    USING (owner = current_owner())
    WITH CHECK (owner = current_owner());
ALTER POLICY purges_for_purger ON purges
    USING (current_purger())
    WITH CHECK (current_purger());
