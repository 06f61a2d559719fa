-- Publications (database-wide: read whatever schemas are selected), their options and
-- members. Members are bounded by the selected schemas ($1): a table, or a schema (TABLES IN
-- SCHEMA, 15+), outside them is left out on both sides. Column lists, row filters (15+)
-- and schemas (pg_publication_namespace, 15+) are read through query_to_xml only on a
-- server that has them (a CASE on server_version_num), so the one text parses on 13 and
-- 14, where the catalog columns and table do not exist; each value comes back hex-encoded,
-- so no name or expression is altered by XML escaping. publish_generated_columns (18) is
-- read through to_jsonb. pg_publication_rel / pg_publication_namespace oids come too, so
-- pg_depend rows about a member (on its table, schema, or a function its filter calls)
-- are the publication's.
WITH v AS (
    SELECT current_setting('server_version_num')::int >= 150000 AS v15
)
SELECT p.oid,
       p.pubname AS name,
       p.puballtables AS all_tables,
       p.pubinsert AS publish_insert,
       p.pubupdate AS publish_update,
       p.pubdelete AS publish_delete,
       p.pubtruncate AS publish_truncate,
       p.pubviaroot AS via_root,
       coalesce(to_jsonb(p) ->> 'pubgencols', 'n') IN ('s', 't', 'true') AS generated_columns,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'oid', pr.oid::bigint,
                     'schema', n.nspname,
                     'name', c.relname,
                     'columns', CASE WHEN to_jsonb(pr) ->> 'prattrs' IS NOT NULL THEN
                         (SELECT jsonb_agg(a.attname ORDER BY a.attnum)
                          FROM pg_attribute a
                          WHERE a.attrelid = pr.prrelid
                            AND a.attnum = ANY (regexp_split_to_array(
                                    trim(both '[] ' FROM to_jsonb(pr) ->> 'prattrs'), '[ ,]+')::int2[]))
                     END,
                     'row_filter', CASE WHEN v.v15 AND to_jsonb(pr) ->> 'prqual' IS NOT NULL THEN
                         convert_from(decode((xpath('/row/f/text()', query_to_xml(format(
                             'SELECT encode(convert_to(pg_get_expr(prqual, prrelid), ''UTF8''), ''hex'') AS f FROM pg_catalog.pg_publication_rel WHERE oid = %s',
                             pr.oid), false, true, '')))[1]::text, 'hex'), 'UTF8')
                     END)
                     ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C")
                 FROM pg_publication_rel pr
                 JOIN pg_class c ON c.oid = pr.prrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE pr.prpubid = p.oid AND c.relnamespace = ANY ($1::oid[])), '[]'::jsonb) AS tables,
       CASE WHEN v.v15 THEN
           (SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'oid', (x ->> 'o')::bigint,
                        'schema', convert_from(decode(x ->> 'n', 'hex'), 'UTF8'))
                        ORDER BY convert_from(decode(x ->> 'n', 'hex'), 'UTF8') COLLATE "C"), '[]'::jsonb)
            FROM jsonb_array_elements(
                (xpath('/row/j/text()', query_to_xml(format(
                    'SELECT coalesce(jsonb_agg(jsonb_build_object(''o'', pn.oid, ''n'', encode(convert_to(n.nspname, ''UTF8''), ''hex''))), ''[]'') AS j FROM pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE pn.pnpubid = %s AND pn.pnnspid = ANY (%L::oid[])',
                    p.oid, $1::oid[]), false, true, '')))[1]::text::jsonb) x)
       ELSE '[]'::jsonb END AS schemas
FROM pg_publication p
CROSS JOIN v
ORDER BY p.pubname COLLATE "C"
