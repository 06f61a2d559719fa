-- Extensions installed into the selected schemas ($1: namespace oids).
SELECT e.oid,
       e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extnamespace = ANY ($1::oid[])
ORDER BY e.extname COLLATE "C"
