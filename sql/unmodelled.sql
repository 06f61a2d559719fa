-- Objects pgsyncer does not model, as (kind, name) rows, so a plan can say they exist
-- instead of ignoring them. Schema-scoped kinds are read in the selected schemas ($1);
-- database-wide kinds (event triggers, subscriptions, access methods, languages,
-- transforms) whatever the schemas. Foreign-data wrappers, servers, user mappings,
-- foreign tables, publications, text search objects, casts, conversions and operators
-- are modelled. Objects an extension owns (pg_depend deptype 'e') are left out, as everywhere:
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
    SELECT 'operator class' AS kind,
           quote_ident(n.nspname) || '.' || quote_ident(c.opcname) || ' USING ' || quote_ident(am.amname) AS name
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
    SELECT 'rule', quote_ident(r.rulename) || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname)
    FROM pg_rewrite r
    JOIN pg_class t ON t.oid = r.ev_class
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE t.relnamespace = ANY ($1::oid[])
      AND r.rulename <> '_RETURN'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_rewrite'::regclass AND ext.objid = r.oid)
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = t.oid)
    UNION ALL
    SELECT 'statistics', quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
    FROM pg_statistic_ext s
    JOIN pg_namespace n ON n.oid = s.stxnamespace
    WHERE s.stxnamespace = ANY ($1::oid[])
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_statistic_ext'::regclass AND ext.objid = s.oid)
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
    SELECT 'event trigger', quote_ident(e.evtname)
    FROM pg_event_trigger e
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_event_trigger'::regclass AND ext.objid = e.oid)
    UNION ALL
    -- Only the columns PUBLIC may read (subconninfo is not one of them). Subscriptions are
    -- never created, whatever else pgsyncer models: one would connect out to its publisher
    -- and start copying rows into the standin. The kind says so in the report.
    SELECT 'subscription (never created: it would connect to its publisher and replicate)', quote_ident(s.subname)
    FROM pg_subscription s
    WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
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
