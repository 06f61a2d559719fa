-- The safe watermark for --use-updated-at, read on main just BEFORE the shared snapshot is
-- taken (its own statement, outside the snapshot transaction). A transaction open now can
-- commit after the snapshot with an updated_at as old as its start, so the watermark is the
-- start of the oldest transaction open now, or the current time when none is; minus the
-- margin ($1, seconds). Other roles' sessions show no times without pg_read_all_stats: they
-- are counted as hidden, and the caller then falls back to the current time minus the margin.
-- Only sessions of this database count: others cannot write its tables.
SELECT (least(min(a.xact_start), clock_timestamp()) - make_interval(secs => $1::float8))::text AS oldest,
       (clock_timestamp() - make_interval(secs => $1::float8))::text AS read_at,
       count(*) FILTER (WHERE a.query = '<insufficient privilege>')::int8 AS hidden,
       (SELECT count(*) FROM pg_prepared_xacts p WHERE p.database = current_database())::int8 AS prepared,
       (SELECT s.reset_val FROM pg_settings s WHERE s.name = 'TimeZone') AS default_timezone
FROM pg_stat_activity a
WHERE a.pid <> pg_backend_pid()
  AND a.datname = current_database()
