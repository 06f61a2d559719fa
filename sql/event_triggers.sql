-- Event triggers: database-wide objects, in no schema. One is read when the function it
-- runs is in a selected schema ($1), which --all-schemas makes every one: the function
-- must be in the model for the trigger to be created after it, and --schema bounds every
-- drop, so a run limited to some schemas neither creates an event trigger whose function
-- it does not sync nor drops one that serves schemas it does not select. Not those an
-- extension owns. Tags as stored (upper case), NULL when there is no WHEN TAG filter.
SELECT e.oid,
       e.evtname AS name,
       e.evtevent AS event,
       e.evttags AS tags,
       pn.nspname AS function_schema,
       p.proname AS function_name,
       pg_get_function_identity_arguments(p.oid) AS function_args,
       e.evtenabled::text AS enabled
FROM pg_event_trigger e
JOIN pg_proc p ON p.oid = e.evtfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE p.pronamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid
                    AND d.deptype = 'e')
ORDER BY e.evtname COLLATE "C"
