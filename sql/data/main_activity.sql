-- Rows written to each of main's tables since its statistics were reset (inserted + updated +
-- deleted), and of those the deleted, read just before the snapshot. Equal to the count recorded by the last sync of a
-- table, it says the table was probably not written since: a hint that picks the cheaper
-- check first, never a reason to skip one (see src/data/activity.rs). Partitioned tables keep
-- no counters of their own, and a server in recovery does not count replayed writes: NULL.
SELECT n.nspname AS schema_name,
       c.relname AS table_name,
       CASE WHEN c.relkind = 'r' AND NOT pg_is_in_recovery()
            THEN pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)
                 + pg_stat_get_tuples_deleted(c.oid)
       END AS changes,
       CASE WHEN c.relkind = 'r' AND NOT pg_is_in_recovery()
            THEN pg_stat_get_tuples_deleted(c.oid)
       END AS deletes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
