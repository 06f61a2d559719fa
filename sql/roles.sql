-- The cluster's roles, by name: a plan that grants to or gives ownership to a role checks
-- it exists on the standin (roles are cluster-wide; pgsyncer never alters one).
SELECT rolname::text AS name
FROM pg_roles
ORDER BY rolname COLLATE "C"
