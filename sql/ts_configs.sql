-- Text search configurations in the selected schemas ($1): the parser, and the mappings
-- as a JSON array in token type order, each the token type's alias (from the parser's
-- ts_token_type) and its dictionaries in the order they are tried.
SELECT c.oid,
       n.nspname AS schema,
       c.cfgname AS name,
       pn.nspname AS parser_schema,
       p.prsname AS parser_name,
       coalesce((SELECT jsonb_agg(jsonb_build_object('token', tt.alias, 'dictionaries', m.dictionaries)
                                  ORDER BY m.maptokentype)
                 FROM (SELECT cm.maptokentype,
                              jsonb_agg(jsonb_build_object('schema', dn.nspname, 'name', d.dictname)
                                        ORDER BY cm.mapseqno) AS dictionaries
                       FROM pg_ts_config_map cm
                       JOIN pg_ts_dict d ON d.oid = cm.mapdict
                       JOIN pg_namespace dn ON dn.oid = d.dictnamespace
                       WHERE cm.mapcfg = c.oid
                       GROUP BY cm.maptokentype) m
                 JOIN ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype),
                '[]'::jsonb) AS mappings
FROM pg_ts_config c
JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser
JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE c.cfgnamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_ts_config'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname COLLATE "C", c.cfgname COLLATE "C"
