-- Columns of the tables in the selected schemas ($1), in attnum order. attcompression
-- (14+) and attstattarget (nullable from 17) are read through to_jsonb; attgenerated 'v'
-- is a virtual generated column (18). Identity columns come with their sequence options.
-- not_null_name: the name of the column's NOT NULL constraint (pg_constraint contype 'n',
-- 18+; always NULL before, where NOT NULL has no name), read where pg_dump prints it: when
-- the constraint is the table's own (conislocal) or the table is a partition. A constraint an
-- inheritance child only inherits is named by its parent and left out.
SELECT a.attrelid AS table_oid,
       a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS data_type,
       cn.nspname AS collation_schema,
       co.collname AS collation_name,
       a.attnotnull AS not_null,
       nn.conname AS not_null_name,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS default_expr,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated_expr,
       a.attgenerated::text AS generated,
       a.attidentity::text AS identity,
       seq.relname AS identity_sequence,
       format_type(s.seqtypid, NULL) AS seq_data_type,
       s.seqstart AS seq_start,
       s.seqincrement AS seq_increment,
       s.seqmin AS seq_min,
       s.seqmax AS seq_max,
       s.seqcache AS seq_cache,
       s.seqcycle AS seq_cycle,
       a.attislocal AS is_local,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
       t.typstorage::text AS type_storage,
       nullif(to_jsonb(a) ->> 'attcompression', '') AS compression,
       nullif((to_jsonb(a) ->> 'attstattarget')::int, -1) AS statistics,
       coalesce(a.attoptions, '{}'::text[]) AS options
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
LEFT JOIN pg_depend sd ON a.attidentity <> '' AND sd.refclassid = 'pg_class'::regclass
     AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum
     AND sd.classid = 'pg_class'::regclass AND sd.deptype = 'i'
LEFT JOIN pg_class seq ON seq.oid = sd.objid AND seq.relkind = 'S'
LEFT JOIN pg_sequence s ON s.seqrelid = seq.oid
LEFT JOIN pg_constraint nn ON nn.conrelid = a.attrelid AND nn.contype = 'n'
     AND nn.conkey[1] = a.attnum AND (nn.conislocal OR c.relispartition)
WHERE a.attnum > 0
  AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY a.attrelid, a.attnum
