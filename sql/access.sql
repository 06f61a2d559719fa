-- Owners and effective privileges of the objects in the selected schemas ($1) and of the
-- database-wide ones that can hold objects of them (foreign-data wrappers, servers,
-- languages, event triggers, publications). The loader keeps rows of objects it read,
-- found by (catalog, oid[, column]) as comments are.
--
-- acl: the explicit ACL, or the default one when the catalog holds NULL (acldefault),
-- exploded to (grantee, privilege, grantable); grantee '' is PUBLIC. default_acl: what the
-- object holds before any GRANT or REVOKE. A column's ACL has no default: only its own
-- grants. Catalogs without ACLs give the owner alone.
WITH objects AS (
    SELECT 'pg_namespace'::regclass AS class, n.oid, NULL::name AS column_name,
           n.nspowner AS owner, n.nspacl AS acl, 'n'::"char" AS acl_kind
    FROM pg_namespace n
    WHERE n.oid = ANY ($1)
    UNION ALL
    SELECT 'pg_class'::regclass, c.oid, NULL, c.relowner, c.relacl,
           CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char"
    FROM pg_class c
    WHERE c.relnamespace = ANY ($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT 'pg_class'::regclass, c.oid, a.attname, c.relowner, a.attacl, 'c'
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = ANY ($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid, NULL, p.proowner, p.proacl, 'f'
    FROM pg_proc p
    WHERE p.pronamespace = ANY ($1)
    UNION ALL
    -- Free-standing types only: a relation's row type and an array type map to their
    -- relation or element type, whose rows are above.
    SELECT 'pg_type'::regclass, t.oid, NULL, t.typowner, t.typacl, 'T'
    FROM pg_type t
    WHERE t.typnamespace = ANY ($1) AND t.typtype IN ('b', 'd', 'e', 'r', 'c')
      AND t.typcategory <> 'A'
      AND (t.typrelid = 0 OR EXISTS (SELECT FROM pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
    UNION ALL
    SELECT 'pg_collation'::regclass, o.oid, NULL, o.collowner, NULL, NULL
    FROM pg_collation o WHERE o.collnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_conversion'::regclass, o.oid, NULL, o.conowner, NULL, NULL
    FROM pg_conversion o WHERE o.connamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_operator'::regclass, o.oid, NULL, o.oprowner, NULL, NULL
    FROM pg_operator o WHERE o.oprnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_opclass'::regclass, o.oid, NULL, o.opcowner, NULL, NULL
    FROM pg_opclass o WHERE o.opcnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_opfamily'::regclass, o.oid, NULL, o.opfowner, NULL, NULL
    FROM pg_opfamily o WHERE o.opfnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_statistic_ext'::regclass, o.oid, NULL, o.stxowner, NULL, NULL
    FROM pg_statistic_ext o WHERE o.stxnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_ts_config'::regclass, o.oid, NULL, o.cfgowner, NULL, NULL
    FROM pg_ts_config o WHERE o.cfgnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_ts_dict'::regclass, o.oid, NULL, o.dictowner, NULL, NULL
    FROM pg_ts_dict o WHERE o.dictnamespace = ANY ($1)
    UNION ALL
    SELECT 'pg_foreign_data_wrapper'::regclass, o.oid, NULL, o.fdwowner, o.fdwacl, 'F'
    FROM pg_foreign_data_wrapper o
    UNION ALL
    SELECT 'pg_foreign_server'::regclass, o.oid, NULL, o.srvowner, o.srvacl, 'S'
    FROM pg_foreign_server o
    UNION ALL
    SELECT 'pg_language'::regclass, o.oid, NULL, o.lanowner, o.lanacl, 'l'
    FROM pg_language o WHERE o.oid >= 16384
    UNION ALL
    SELECT 'pg_event_trigger'::regclass, o.oid, NULL, o.evtowner, NULL, NULL
    FROM pg_event_trigger o
    UNION ALL
    SELECT 'pg_publication'::regclass, o.oid, NULL, o.pubowner, NULL, NULL
    FROM pg_publication o
)
SELECT o.class::text AS class,
       o.oid,
       o.column_name::text AS column_name,
       pg_get_userbyid(o.owner)::text AS owner,
       (SELECT jsonb_agg(jsonb_build_array(
                   CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END,
                   e.privilege_type, e.is_grantable))
        FROM aclexplode(CASE WHEN o.acl_kind = 'c' THEN o.acl
                             WHEN o.acl_kind IS NOT NULL THEN coalesce(o.acl, acldefault(o.acl_kind, o.owner))
                        END) e) AS acl,
       (SELECT jsonb_agg(jsonb_build_array(
                   CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END,
                   e.privilege_type, e.is_grantable))
        FROM aclexplode(CASE WHEN o.acl_kind <> 'c' THEN acldefault(o.acl_kind, o.owner) END) e) AS default_acl
FROM objects o
