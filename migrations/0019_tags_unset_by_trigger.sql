-- Ready for Citus (distributed by list_id), one rule: no foreign key that includes list_id may
-- use ON DELETE SET NULL or SET DEFAULT, the PostgreSQL 15 column-list form included; Citus
-- refuses them on a key holding the distribution column (citus commands/foreign_constraint.c).
-- tags_schema_fkey cleared schema_id that way when a schema was deleted. A trigger on
-- field_schemas now clears it, in the same list (so it stays on the shard of that list), before
-- the schema row goes; the key itself (NO ACTION) checks that nothing still points at it.
-- depends: 0018_policies_the_planner_can_estimate

CREATE FUNCTION unset_schema_of_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Not when the list itself is going (a cascade from bookmark_lists): its tags go too, and
    -- updating one would check its key to the list already gone.
    UPDATE tags SET schema_id = NULL
    WHERE list_id = OLD.list_id AND schema_id = OLD.id
      AND EXISTS (SELECT FROM bookmark_lists AS l WHERE l.id = OLD.list_id);
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION unset_schema_of_tags() IS
    'A deleted schema''s tags lose their schema (tags_schema_fkey would refuse the delete).';
CREATE TRIGGER field_schemas_unset_schema_of_tags
    BEFORE DELETE ON field_schemas
    FOR EACH ROW EXECUTE FUNCTION unset_schema_of_tags();

ALTER TABLE tags DROP CONSTRAINT tags_schema_fkey;
ALTER TABLE tags ADD CONSTRAINT tags_schema_fkey FOREIGN KEY (list_id, schema_id)
    REFERENCES field_schemas (list_id, id);
