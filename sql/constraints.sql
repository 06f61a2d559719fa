-- Table constraints in the selected schemas ($1): primary key, unique, check, foreign key,
-- exclusion. NOT NULL ('n', 18) is a column property here. Constraints a child inherits
-- (not conislocal) or a partition got from its parent (conparentid) are left out.
-- pg_get_constraintdef leaves out the index's storage parameters: index_options.
-- conenforced (18) and indnullsnotdistinct (15) are read through to_jsonb.
SELECT con.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       con.conname AS name,
       con.contype::text AS kind,
       pg_get_constraintdef(con.oid) AS definition,
       array(SELECT a.attname::text
             FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS columns,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       array(SELECT a.attname::text
             FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord) AS ref_columns,
       con.convalidated AS validated,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       con.connoinherit AS no_inherit,
       coalesce((to_jsonb(con) ->> 'conenforced')::bool, true) AS enforced,
       coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::bool, false) AS nulls_not_distinct,
       ic.relname AS index_name,
       coalesce(ic.reloptions, '{}'::text[]) AS index_options,
       coalesce(i.indisclustered, false) AS clustered
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u', 'x')
LEFT JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE con.contype IN ('p', 'u', 'c', 'f', 'x')
  AND c.relkind IN ('r', 'p')
  AND con.conislocal
  AND con.conparentid = 0
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C", con.conname COLLATE "C"
