-- User triggers on relations in the selected schemas ($1): not internal ones (constraint
-- machinery) and not the clones PostgreSQL makes on partitions (tgparentid, 13+).
SELECT tg.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       tg.tgname AS name,
       pg_get_triggerdef(tg.oid, false) AS definition,
       pn.nspname AS function_schema,
       p.proname AS function_name,
       pg_get_function_identity_arguments(p.oid) AS function_args,
       tg.tgenabled::text AS enabled,
       tg.tgconstraint <> 0 AS is_constraint
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = tg.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT tg.tgisinternal
  AND tg.tgparentid = 0
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", tg.tgname COLLATE "C"
