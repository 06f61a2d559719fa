-- Default privileges (ALTER DEFAULT PRIVILEGES): per role, for the whole database (schema
-- NULL) or one selected schema ($1), per kind of object, as what they add to and remove
-- from the built-in defaults (acldefault): a database-wide entry replaces the built-in
-- list, a schema's entry only adds to it. Exploded as (grantee, privilege, grantable);
-- grantee '' is PUBLIC.
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
       (SELECT jsonb_agg(jsonb_build_array(g.grantee, g.privilege_type, g.is_grantable))
        FROM (SELECT CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END AS grantee,
                     e.privilege_type, e.is_grantable
              FROM aclexplode(x.acl) e
              EXCEPT
              SELECT CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END,
                     e.privilege_type, e.is_grantable
              FROM aclexplode(x.builtin) e) g) AS added,
       (SELECT jsonb_agg(jsonb_build_array(g.grantee, g.privilege_type, g.is_grantable))
        FROM (SELECT CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END AS grantee,
                     e.privilege_type, e.is_grantable
              FROM aclexplode(x.builtin) e
              EXCEPT
              SELECT CASE WHEN e.grantee = 0 THEN '' ELSE pg_get_userbyid(e.grantee)::text END,
                     e.privilege_type, e.is_grantable
              FROM aclexplode(x.acl) e) g) AS removed
FROM entries x
LEFT JOIN pg_namespace n ON n.oid = x.nsp
ORDER BY pg_get_userbyid(x.role)::text COLLATE "C", n.nspname::text COLLATE "C" NULLS FIRST, x.objtype::text COLLATE "C"
