-- Dependencies between user objects (normal and automatic), the dependent side mapped to
-- its owning object: a view's "_RETURN" rule to the view (other rules are objects of their
-- own), a column default to its column. The loader maps oids to identities and drops rows
-- about objects it did not read.
SELECT CASE WHEN r.rulename = '_RETURN' OR d.classid = 'pg_attrdef'::regclass
            THEN 'pg_class' ELSE d.classid::regclass::text END AS class,
       coalesce(CASE WHEN r.rulename = '_RETURN' THEN r.ev_class END, ad.adrelid, d.objid) AS oid,
       coalesce(ada.attname, oa.attname) AS column_name,
       d.refclassid::regclass::text AS ref_class,
       d.refobjid AS ref_oid,
       ra.attname AS ref_column_name
FROM pg_depend d
LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_attribute ada ON ada.attrelid = ad.adrelid AND ada.attnum = ad.adnum
LEFT JOIN pg_attribute oa ON d.classid = 'pg_class'::regclass AND d.objsubid > 0
     AND oa.attrelid = d.objid AND oa.attnum = d.objsubid
LEFT JOIN pg_attribute ra ON d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
     AND ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid
WHERE d.deptype IN ('n', 'a')
  AND d.objid >= 16384
  AND d.refobjid >= 16384
