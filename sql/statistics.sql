-- Extended statistics (CREATE STATISTICS) in the selected schemas ($1) on relations also in
-- them: a statistics object's schema may differ from its table's, and both must be read for
-- it to be created. Not those an extension owns, nor those on an extension's relations.
-- pg_get_statisticsobjdef prints the whole CREATE STATISTICS (kinds, columns and, from 14,
-- expressions), qualified under search_path = ''. The target is NULL when default: it is
-- -1 before 17 and NULL from 17, where stxstattarget also became int2.
SELECT s.oid,
       n.nspname AS schema,
       s.stxname AS name,
       tn.nspname AS table_schema,
       c.relname AS table_name,
       pg_get_statisticsobjdef(s.oid) AS definition,
       nullif(coalesce(s.stxstattarget::int, -1), -1) AS target
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class c ON c.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE s.stxnamespace = ANY ($1::oid[])
  AND c.relnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.deptype = 'e'
                    AND ((d.classid = 'pg_statistic_ext'::regclass AND d.objid = s.oid)
                         OR (d.classid = 'pg_class'::regclass AND d.objid = c.oid)))
ORDER BY n.nspname COLLATE "C", s.stxname COLLATE "C"
