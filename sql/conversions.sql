-- Conversions in the selected schemas ($1): encodings by name, the function by schema and
-- name (CREATE CONVERSION finds it by name and its fixed argument types).
SELECT c.oid,
       n.nspname AS schema,
       c.conname AS name,
       pg_encoding_to_char(c.conforencoding) AS from_encoding,
       pg_encoding_to_char(c.contoencoding) AS to_encoding,
       pn.nspname AS function_schema,
       p.proname AS function_name,
       c.condefault AS is_default
FROM pg_conversion c
JOIN pg_namespace n ON n.oid = c.connamespace
JOIN pg_proc p ON p.oid = c.conproc
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE c.connamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_conversion'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.conname COLLATE "C"
