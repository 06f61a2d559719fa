-- Text search parsers in the selected schemas ($1): the functions they are made of, by
-- schema and name (CREATE TEXT SEARCH PARSER finds each by name and its fixed argument
-- types). HEADLINE is optional (prsheadline = 0).
SELECT p.oid,
       n.nspname AS schema,
       p.prsname AS name,
       sn.nspname AS start_schema, s.proname AS start_name,
       tn.nspname AS token_schema, t.proname AS token_name,
       en.nspname AS end_schema, e.proname AS end_name,
       hn.nspname AS headline_schema, h.proname AS headline_name,
       ln.nspname AS lextypes_schema, l.proname AS lextypes_name
FROM pg_ts_parser p
JOIN pg_namespace n ON n.oid = p.prsnamespace
JOIN pg_proc s ON s.oid = p.prsstart
JOIN pg_namespace sn ON sn.oid = s.pronamespace
JOIN pg_proc t ON t.oid = p.prstoken
JOIN pg_namespace tn ON tn.oid = t.pronamespace
JOIN pg_proc e ON e.oid = p.prsend
JOIN pg_namespace en ON en.oid = e.pronamespace
LEFT JOIN pg_proc h ON h.oid = p.prsheadline
LEFT JOIN pg_namespace hn ON hn.oid = h.pronamespace
JOIN pg_proc l ON l.oid = p.prslextype
JOIN pg_namespace ln ON ln.oid = l.pronamespace
WHERE p.prsnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_ts_parser'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", p.prsname COLLATE "C"
