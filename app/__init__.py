"""custom-fields-sql: custom fields for video bookmark lists, in hand-written SQL on PostgreSQL."""
