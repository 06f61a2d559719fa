-- Tables (ordinary and partitioned, partitions included) in the selected schemas ($1).
SELECT c.oid,
       c.reltype AS type_oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS kind,
       c.relpersistence = 'u' AS unlogged,
       -- The table's TOAST table's parameters follow as `toast.name=value`, as in WITH (…).
       coalesce(c.reloptions, '{}'::text[])
         || coalesce((SELECT array_agg('toast.' || o ORDER BY o.n)
                      FROM pg_class tc, unnest(tc.reloptions) WITH ORDINALITY AS o(o, n)
                      WHERE tc.oid = c.reltoastrelid), '{}'::text[]) AS options,
       CASE WHEN c.relkind = 'r' AND am.amname <> 'heap' THEN am.amname END AS access_method,
       c.relreplident::text AS replica_identity,
       (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       coalesce((SELECT json_agg(json_build_array(pn.nspname, p.relname) ORDER BY i.inhseqno)
                 FROM pg_inherits i
                 JOIN pg_class p ON p.oid = i.inhparent
                 JOIN pg_namespace pn ON pn.oid = p.relnamespace
                 WHERE i.inhrelid = c.oid AND NOT c.relispartition), '[]'::json) AS inherits,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by,
       pp.schema AS parent_schema,
       pp.name AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       pg_get_userbyid(c.relowner) AS owner
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_am am ON am.oid = c.relam
LEFT JOIN LATERAL (
    SELECT pn.nspname AS schema, p.relname AS name
    FROM pg_inherits i
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace pn ON pn.oid = p.relnamespace
    WHERE i.inhrelid = c.oid AND c.relispartition
) pp ON true
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
