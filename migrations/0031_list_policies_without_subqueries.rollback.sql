-- Undo 0031_list_policies_without_subqueries: the policies of 0017, each function in a subquery.
ALTER POLICY bookmark_lists_of_owner ON bookmark_lists
    USING (owner = (SELECT current_owner())
           AND (deleted_at IS NULL OR id = (SELECT current_purging())))
    WITH CHECK (owner = (SELECT current_owner()));
ALTER POLICY purges_of_owner ON purges
    USING (owner = (SELECT current_owner()))
    WITH CHECK (owner = (SELECT current_owner()));
ALTER POLICY purges_for_purger ON purges
    USING ((SELECT current_purger()))
    WITH CHECK ((SELECT current_purger()));
