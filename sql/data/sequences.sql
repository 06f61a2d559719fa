-- Sequences in the selected schemas ($1, NULL = every non-system schema), with the table that
-- owns each one (serial / identity / OWNED BY), if any. Values are read one by one
-- (SELECT last_value, is_called FROM the sequence): exact even where pg_sequences.last_value
-- is NULL.
SELECT n.nspname::text AS schema_name,
       c.relname::text AS sequence_name,
       tn.nspname::text AS owner_schema,
       t.relname::text AS owner_table
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d
       ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE c.relkind = 'S'
  AND n.nspname <> 'information_schema'
  AND n.nspname NOT LIKE 'pg\_%'
  AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
ORDER BY 1, 2
