-- Default privileges (ALTER DEFAULT PRIVILEGES): per role, for the whole database (schema
-- NULL) or one selected schema ($1), per kind of object. acl: the entry, exploded as
-- (grantee, privilege, grantable) with grantee '' for PUBLIC; builtin: for a
-- database-wide entry, the built-in defaults it replaces (acldefault), NULL for a schema's
-- entry, which only adds to them. The loader keeps what each adds and removes.
WITH entries AS (
    SELECT d.defaclrole AS role, d.defaclnamespace AS nsp, d.defaclobjtype AS objtype,
           d.defaclacl AS acl,
           CASE WHEN d.defaclnamespace = 0
                THEN acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END,
                                d.defaclrole)
           END AS builtin
    FROM pg_default_acl d
    WHERE d.defaclnamespace = 0 OR d.defaclnamespace = ANY ($1)
)
SELECT pg_get_userbyid(x.role)::text AS role,
       n.nspname::text AS schema,
       x.objtype::text AS object_type,
       (SELECT jsonb_agg(jsonb_build_array(
                   CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END,
                   e.privilege_type, e.is_grantable))
        FROM aclexplode(x.acl) e) AS acl,
       (SELECT jsonb_agg(jsonb_build_array(
                   CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END,
                   e.privilege_type, e.is_grantable))
        FROM aclexplode(x.builtin) e) AS builtin
FROM entries x
LEFT JOIN pg_namespace n ON n.oid = x.nsp
ORDER BY pg_get_userbyid(x.role)::text COLLATE "C", n.nspname::text COLLATE "C" NULLS FIRST,
         x.objtype::text COLLATE "C"
