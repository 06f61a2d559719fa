-- pgsyncer's state on the standin: the --use-updated-at watermark of every table, per main
-- database (main's system identifier and database name), written in the same transaction as
-- that table's rows, so a watermark is never ahead of the rows it describes.
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
