-- Functions, procedures and aggregates in the selected schemas ($1). Functions are
-- rendered by pg_get_functiondef; aggregates, which it cannot render, come with their
-- pg_aggregate row. Functions a type made for itself are left out: the constructors of a
-- range type and of its multirange type depend on the type with deptype 'i' and come and go
-- with CREATE/DROP TYPE, never on their own. Run with search_path = '' so every name comes
-- out qualified.
SELECT p.oid,
       n.nspname AS schema,
       p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS identity_args,
       pg_get_function_arguments(p.oid) AS arguments,
       CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS result,
       p.prokind::text AS kind,
       l.lanname AS language,
       p.provolatile::text AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       p.proparallel::text AS parallel,
       p.procost::text AS cost,
       p.prorows::text AS rows,
       coalesce(p.proconfig, '{}'::text[]) AS config,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       pg_get_userbyid(p.proowner) AS owner,
       a.aggkind::text AS aggkind,
       a.aggnumdirectargs AS agg_num_direct_args,
       a.aggtransfn::regproc::text AS agg_sfunc,
       format_type(a.aggtranstype, NULL) AS agg_stype,
       a.aggtransspace AS agg_sspace,
       nullif(a.aggfinalfn::oid, 0)::regproc::text AS agg_finalfunc,
       a.aggfinalextra AS agg_finalfunc_extra,
       a.aggfinalmodify::text AS agg_finalfunc_modify,
       nullif(a.aggcombinefn::oid, 0)::regproc::text AS agg_combinefunc,
       nullif(a.aggserialfn::oid, 0)::regproc::text AS agg_serialfunc,
       nullif(a.aggdeserialfn::oid, 0)::regproc::text AS agg_deserialfunc,
       a.agginitval AS agg_initcond,
       nullif(a.aggmtransfn::oid, 0)::regproc::text AS agg_msfunc,
       nullif(a.aggminvtransfn::oid, 0)::regproc::text AS agg_minvfunc,
       CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS agg_mstype,
       a.aggmtransspace AS agg_msspace,
       nullif(a.aggmfinalfn::oid, 0)::regproc::text AS agg_mfinalfunc,
       a.aggmfinalextra AS agg_mfinalfunc_extra,
       a.aggmfinalmodify::text AS agg_mfinalfunc_modify,
       a.aggminitval AS agg_minitcond,
       CASE WHEN a.aggsortop <> 0
            THEN 'OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' END AS agg_sortop
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
LEFT JOIN pg_operator op ON op.oid = a.aggsortop
LEFT JOIN pg_namespace opn ON opn.oid = op.oprnamespace
WHERE p.pronamespace = ANY ($1::oid[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
ORDER BY n.nspname COLLATE "C", p.proname COLLATE "C", pg_get_function_identity_arguments(p.oid) COLLATE "C"
