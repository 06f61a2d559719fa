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
       tg.tgconstraint <> 0 AS is_constraint,
       -- The clones on partitions (one level down) whose state differs from this one's.
       coalesce((SELECT json_agg(json_build_array(cn.nspname, cc.relname, ct.tgenabled::text)
                                 ORDER BY cn.nspname COLLATE "C", cc.relname COLLATE "C")
                 FROM pg_trigger ct
                 JOIN pg_class cc ON cc.oid = ct.tgrelid
                 JOIN pg_namespace cn ON cn.oid = cc.relnamespace
                 WHERE ct.tgparentid = tg.oid AND ct.tgenabled <> tg.tgenabled),
                '[]'::json) AS partition_states
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
