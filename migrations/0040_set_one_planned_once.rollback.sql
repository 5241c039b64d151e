-- Back to set_one planned on every run, and the primary key without created_at.

DROP FUNCTION set_one_value(uuid, uuid, uuid, text, numeric, boolean, date, text[]);

ALTER TABLE videos DROP CONSTRAINT videos_pkey,
    ADD CONSTRAINT videos_pkey PRIMARY KEY (id, list_id);
