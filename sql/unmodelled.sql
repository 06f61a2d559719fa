-- Objects pgsyncer does not model, as (kind, name) rows, so a plan can say they exist
-- instead of ignoring them. Schema-scoped kinds are read in the selected schemas ($1);
-- database-wide kinds (casts, event triggers, publications, subscriptions, foreign-data
-- wrappers, servers, user mappings, access methods, languages, transforms) whatever the
-- schemas. Objects an extension owns (pg_depend deptype 'e') are left out, as everywhere:
-- CREATE EXTENSION brings them; so are those another object made for itself (deptype 'i',
-- as in functions.sql: the casts between a range type and its multirange type, array
-- types). Aggregates, window functions and inheritance (INHERITS)
-- are modelled (functions.sql, tables.sql), so they are not here. Run with
-- search_path = '' so regoperator/format_type names come out qualified.
WITH ext AS (
    SELECT classid, objid FROM pg_depend WHERE deptype IN ('e', 'i')
)
SELECT u.kind, u.name
FROM (
    SELECT 'operator' AS kind, o.oid::regoperator::text AS name
    FROM pg_operator o
    WHERE o.oprnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid)
    UNION ALL
    SELECT 'operator class',
           quote_ident(n.nspname) || '.' || quote_ident(c.opcname) || ' USING ' || quote_ident(am.amname)
    FROM pg_opclass c
    JOIN pg_namespace n ON n.oid = c.opcnamespace
    JOIN pg_am am ON am.oid = c.opcmethod
    WHERE c.opcnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opclass'::regclass AND ext.objid = c.oid)
    UNION ALL
    -- A family that CREATE OPERATOR CLASS made for itself (same name, namespace and
    -- method) is said with its class.
    SELECT 'operator family',
           quote_ident(n.nspname) || '.' || quote_ident(f.opfname) || ' USING ' || quote_ident(am.amname)
    FROM pg_opfamily f
    JOIN pg_namespace n ON n.oid = f.opfnamespace
    JOIN pg_am am ON am.oid = f.opfmethod
    WHERE f.opfnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opfamily'::regclass AND ext.objid = f.oid)
      AND NOT EXISTS (SELECT 1 FROM pg_opclass c
                      WHERE c.opcfamily = f.oid AND c.opcname = f.opfname
                        AND c.opcnamespace = f.opfnamespace AND c.opcmethod = f.opfmethod)
    UNION ALL
    -- Statistics are modelled (statistics.sql) when their table is selected too; these
    -- are on a table in a schema that is not.
    SELECT 'statistics', quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
    FROM pg_statistic_ext s
    JOIN pg_namespace n ON n.oid = s.stxnamespace
    JOIN pg_class c ON c.oid = s.stxrelid
    WHERE s.stxnamespace = ANY ($1::oid[])
      AND c.relnamespace <> ALL ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_statistic_ext'::regclass AND ext.objid = s.oid)
    UNION ALL
    SELECT 'text search configuration', quote_ident(n.nspname) || '.' || quote_ident(c.cfgname)
    FROM pg_ts_config c
    JOIN pg_namespace n ON n.oid = c.cfgnamespace
    WHERE c.cfgnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_config'::regclass AND ext.objid = c.oid)
    UNION ALL
    SELECT 'text search dictionary', quote_ident(n.nspname) || '.' || quote_ident(d.dictname)
    FROM pg_ts_dict d
    JOIN pg_namespace n ON n.oid = d.dictnamespace
    WHERE d.dictnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_dict'::regclass AND ext.objid = d.oid)
    UNION ALL
    SELECT 'text search parser', quote_ident(n.nspname) || '.' || quote_ident(p.prsname)
    FROM pg_ts_parser p
    JOIN pg_namespace n ON n.oid = p.prsnamespace
    WHERE p.prsnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_parser'::regclass AND ext.objid = p.oid)
    UNION ALL
    SELECT 'text search template', quote_ident(n.nspname) || '.' || quote_ident(t.tmplname)
    FROM pg_ts_template t
    JOIN pg_namespace n ON n.oid = t.tmplnamespace
    WHERE t.tmplnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_template'::regclass AND ext.objid = t.oid)
    UNION ALL
    SELECT 'foreign table', quote_ident(n.nspname) || '.' || quote_ident(c.relname)
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'f'
      AND c.relnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
    UNION ALL
    SELECT 'conversion', quote_ident(n.nspname) || '.' || quote_ident(c.conname)
    FROM pg_conversion c
    JOIN pg_namespace n ON n.oid = c.connamespace
    WHERE c.connamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_conversion'::regclass AND ext.objid = c.oid)
    UNION ALL
    -- Base types made with CREATE TYPE … (INPUT = …), and shell types; not the array
    -- types PostgreSQL makes for every type.
    SELECT CASE t.typtype WHEN 'b' THEN 'base type' ELSE 'shell type' END,
           quote_ident(n.nspname) || '.' || quote_ident(t.typname)
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('b', 'p')
      AND t.typnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
    UNION ALL
    SELECT 'cast', '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')'
    FROM pg_cast c
    WHERE c.oid >= 16384
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_cast'::regclass AND ext.objid = c.oid)
    UNION ALL
    -- Event triggers are modelled (event_triggers.sql) when their function is in a
    -- selected schema; these run one that is not.
    SELECT 'event trigger', quote_ident(e.evtname)
    FROM pg_event_trigger e
    WHERE e.evtfoid NOT IN (SELECT p.oid FROM pg_proc p WHERE p.pronamespace = ANY ($1::oid[]))
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_event_trigger'::regclass AND ext.objid = e.oid)
    UNION ALL
    SELECT 'publication', quote_ident(p.pubname)
    FROM pg_publication p
    UNION ALL
    -- Only the columns PUBLIC may read (subconninfo is not one of them).
    SELECT 'subscription', quote_ident(s.subname)
    FROM pg_subscription s
    WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
    UNION ALL
    SELECT 'foreign-data wrapper', quote_ident(w.fdwname)
    FROM pg_foreign_data_wrapper w
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_foreign_data_wrapper'::regclass AND ext.objid = w.oid)
    UNION ALL
    SELECT 'foreign server', quote_ident(s.srvname)
    FROM pg_foreign_server s
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_foreign_server'::regclass AND ext.objid = s.oid)
    UNION ALL
    -- pg_user_mappings, not pg_user_mapping: the view is readable without superuser.
    SELECT 'user mapping', 'FOR ' || quote_ident(m.usename) || ' SERVER ' || quote_ident(m.srvname)
    FROM pg_user_mappings m
    UNION ALL
    SELECT 'access method', quote_ident(a.amname)
    FROM pg_am a
    WHERE a.oid >= 16384
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_am'::regclass AND ext.objid = a.oid)
    UNION ALL
    SELECT 'language', quote_ident(l.lanname)
    FROM pg_language l
    WHERE l.oid >= 16384
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_language'::regclass AND ext.objid = l.oid)
    UNION ALL
    SELECT 'transform', 'FOR ' || format_type(t.trftype, NULL) || ' LANGUAGE ' || quote_ident(l.lanname)
    FROM pg_transform t
    JOIN pg_language l ON l.oid = t.trflang
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_transform'::regclass AND ext.objid = t.oid)
) u
ORDER BY u.kind COLLATE "C", u.name COLLATE "C"
