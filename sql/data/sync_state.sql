-- pgsyncer's state on the standin, per main database (main's system identifier and database
-- name) and table, each row written in the same transaction as that table's rows:
-- sync_state: the --use-updated-at watermark, so a watermark is never ahead of the rows it
-- describes; main_activity: main's count of written (and of deleted) rows at the last sync, a
-- hint for the next run (src/data/activity.rs).
CREATE SCHEMA IF NOT EXISTS pgsyncer;
CREATE TABLE IF NOT EXISTS pgsyncer.sync_state (
    main_system text NOT NULL,
    main_database text NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    column_name text NOT NULL,
    watermark timestamptz NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (main_system, main_database, schema_name, table_name)
);
CREATE TABLE IF NOT EXISTS pgsyncer.main_activity (
    main_system text NOT NULL,
    main_database text NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    main_changes bigint NOT NULL,
    main_deletes bigint,
    synced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (main_system, main_database, schema_name, table_name)
);
