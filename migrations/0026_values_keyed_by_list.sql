-- The value table's primary key holds list_id (#13, Citus rule 1: a unique index of a
-- distributed table holds its distribution column, since Citus checks uniqueness within a
-- shard; citus_docs develop/reference_ddl.rst, citus commands/index.c). It was the last key
-- without it: create_distributed_table('video_field_values', 'list_id') refused the table.
-- list_id goes last, as in 0020: a video's values are still one prefix of the key, and the key
-- is as unique as before, since a video belongs to one list (video_field_values_video_fkey).
-- Every statement that probes a (video, field) by this key names list_id too (sql/), so the
-- whole key is equal and the planner still knows a probe finds at most one row: without it a
-- condition's EXISTS stayed a semi-join and three conditions took 1.17-1.41x (README, Scaling
-- out). An upsert names the whole key: ON CONFLICT (video_id, field_id, list_id).
-- depends: 0025_triggers_name_their_list

ALTER TABLE video_field_values DROP CONSTRAINT video_field_values_pkey,
    ADD CONSTRAINT video_field_values_pkey PRIMARY KEY (video_id, field_id, list_id);
COMMENT ON INDEX video_field_values_pkey IS
    'One value per (video, field) (a video is in one list); list_id last for Citus. Serves '
    '"the values of a video", each condition''s probe and the upsert''s ON CONFLICT.';
