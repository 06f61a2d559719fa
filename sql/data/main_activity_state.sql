-- pgsyncer's state on the standin: per main database and table, main's count of written rows
-- (sql/data/main_activity.sql) when the table was last synced, written in the same
-- transaction as that table's rows. Only a hint for the next run (src/data/activity.rs).
CREATE SCHEMA IF NOT EXISTS pgsyncer;
CREATE TABLE IF NOT EXISTS pgsyncer.main_activity (
    main_system text NOT NULL,
    main_database text NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    main_changes bigint NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (main_system, main_database, schema_name, table_name)
);
