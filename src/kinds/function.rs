//! Functions, procedures and aggregates: `CREATE OR REPLACE` when the kind, arguments and
//! result stay, otherwise rebuilt. Definitions are compared after a `pg_query` parse →
//! deparse ([`crate::diff::same_sql`]).

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::ddl::create;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::literal;

pub(crate) struct Functions;

impl Kind for Functions {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Function { .. })
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("functions")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_functions(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        schema
            .functions
            .get(id)
            .map(function_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        // Range constructors are not in the model (sql/functions.sql leaves them out).
        for (id, m) in &main.functions {
            let Some(s) = standin.functions.get(id) else {
                changes.push(id.clone(), ChangeKind::Create);
                continue;
            };
            if same_function(m, s) {
                continue;
            }
            // CREATE OR REPLACE cannot change the result type, argument names or defaults,
            // or turn a function into a procedure; aggregates have no OR REPLACE before 12
            // and their definition is not one statement: drop and create those.
            let replaceable = m.kind == s.kind
                && m.result == s.result
                && m.arguments == s.arguments
                && m.definition.is_some()
                && s.definition.is_some();
            if replaceable {
                changes.push(id.clone(), ChangeKind::Replace);
            } else {
                changes.recreate(id.clone());
            }
        }
        super::extras(&main.functions, &standin.functions, changes, |id| id);
    }

    fn drop(&self, standin: &Schema, id: &ObjectId) -> Statement {
        let sql = format!("DROP {}", create::routine(standin, id).unwrap_or_default());
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        if change.kind != ChangeKind::Replace {
            return;
        }
        let sql = ctx
            .main
            .functions
            .get(id)
            .and_then(|f| function_sql(f).into_iter().next());
        if let Some(sql) = sql {
            ctx.build(id, 10, Action::Replace, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        10
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        12
    }
}

/// Whether two routines are the same, comparing their full definitions semantically.
fn same_function(m: &Function, s: &Function) -> bool {
    let definitions = match (&m.definition, &s.definition) {
        (Some(a), Some(b)) => same_sql(a, b),
        (None, None) => true,
        _ => false,
    };
    definitions
        && m.kind == s.kind
        && m.arguments == s.arguments
        && m.result == s.result
        && m.aggregate == s.aggregate
        && m.language == s.language
        && m.volatility == s.volatility
        && m.strict == s.strict
        && m.security_definer == s.security_definer
        && m.leakproof == s.leakproof
        && m.parallel == s.parallel
        && m.cost == s.cost
        && m.rows == s.rows
        && m.config == s.config
}

// Reading: catalog rows into the model.

fn load_functions(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        let identity_args: String = r.get("identity_args")?;
        let id = ObjectId::Function {
            schema: name.schema.clone(),
            name: name.name.clone(),
            args: identity_args.clone(),
        };
        oids.insert("pg_proc", r.get("oid")?, id.clone());
        let kind = match r.get::<String>("kind")?.as_str() {
            "f" => FunctionKind::Function,
            "p" => FunctionKind::Procedure,
            "a" => FunctionKind::Aggregate,
            "w" => FunctionKind::Window,
            other => return Err(r.bad(format!("unknown prokind {other:?}"))),
        };
        let volatility = match r.get::<String>("volatility")?.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        };
        let parallel = match r.get::<String>("parallel")?.as_str() {
            "s" => ParallelSafety::Safe,
            "r" => ParallelSafety::Restricted,
            _ => ParallelSafety::Unsafe,
        };
        let aggregate = if kind == FunctionKind::Aggregate {
            Some(Aggregate {
                aggkind: r.get("aggkind")?,
                num_direct_args: r.get("agg_num_direct_args")?,
                sfunc: r.get("agg_sfunc")?,
                stype: r.get("agg_stype")?,
                sspace: r.get("agg_sspace")?,
                finalfunc: r.get("agg_finalfunc")?,
                finalfunc_extra: r.get("agg_finalfunc_extra")?,
                finalfunc_modify: r.get("agg_finalfunc_modify")?,
                combinefunc: r.get("agg_combinefunc")?,
                serialfunc: r.get("agg_serialfunc")?,
                deserialfunc: r.get("agg_deserialfunc")?,
                initcond: r.get("agg_initcond")?,
                msfunc: r.get("agg_msfunc")?,
                minvfunc: r.get("agg_minvfunc")?,
                mstype: r.get("agg_mstype")?,
                msspace: r.get("agg_msspace")?,
                mfinalfunc: r.get("agg_mfinalfunc")?,
                mfinalfunc_extra: r.get("agg_mfinalfunc_extra")?,
                mfinalfunc_modify: r.get("agg_mfinalfunc_modify")?,
                minitcond: r.get("agg_minitcond")?,
                sortop: r.get("agg_sortop")?,
            })
        } else {
            None
        };
        schema.functions.insert(
            id,
            Function {
                name,
                identity_args,
                arguments: r.get("arguments")?,
                result: r.get("result")?,
                kind,
                language: r.get("language")?,
                volatility,
                strict: r.get("strict")?,
                security_definer: r.get("security_definer")?,
                leakproof: r.get("leakproof")?,
                parallel,
                cost: r.get("cost")?,
                rows: r.get("rows")?,
                config: r.get("config")?,
                definition: r.get("definition")?,
                aggregate,
                owner: r.get("owner")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE FUNCTION/PROCEDURE` (the server's `pg_get_functiondef`) or `CREATE AGGREGATE`.
pub(crate) fn function_sql(f: &Function) -> Vec<String> {
    if let Some(def) = &f.definition {
        return vec![def.trim_end().trim_end_matches(';').to_string()];
    }
    let Some(a) = &f.aggregate else {
        return Vec::new();
    };
    let mut opts = vec![
        format!("SFUNC = {}", a.sfunc),
        format!("STYPE = {}", a.stype),
    ];
    let mut push = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            opts.push(format!("{k} = {v}"));
        }
    };
    push("FINALFUNC", &a.finalfunc);
    push("COMBINEFUNC", &a.combinefunc);
    push("SERIALFUNC", &a.serialfunc);
    push("DESERIALFUNC", &a.deserialfunc);
    push("MSFUNC", &a.msfunc);
    push("MINVFUNC", &a.minvfunc);
    push("MSTYPE", &a.mstype);
    push("MFINALFUNC", &a.mfinalfunc);
    push("SORTOP", &a.sortop);
    if a.sspace != 0 {
        opts.push(format!("SSPACE = {}", a.sspace));
    }
    if a.msspace != 0 {
        opts.push(format!("MSSPACE = {}", a.msspace));
    }
    if let Some(v) = &a.initcond {
        opts.push(format!("INITCOND = {}", literal(v)));
    }
    if let Some(v) = &a.minitcond {
        opts.push(format!("MINITCOND = {}", literal(v)));
    }
    if a.finalfunc_extra {
        opts.push("FINALFUNC_EXTRA".to_string());
    }
    if a.mfinalfunc_extra {
        opts.push("MFINALFUNC_EXTRA".to_string());
    }
    let modify = |m: &str| match m {
        "s" => "SHAREABLE",
        "w" => "READ_WRITE",
        _ => "READ_ONLY",
    };
    // READ_ONLY is the default for normal aggregates, READ_WRITE for ordered-set ones.
    let default_modify = if a.aggkind == "n" { "r" } else { "w" };
    if a.finalfunc.is_some() && a.finalfunc_modify != default_modify {
        opts.push(format!(
            "FINALFUNC_MODIFY = {}",
            modify(&a.finalfunc_modify)
        ));
    }
    if a.mfinalfunc.is_some() && a.mfinalfunc_modify != default_modify {
        opts.push(format!(
            "MFINALFUNC_MODIFY = {}",
            modify(&a.mfinalfunc_modify)
        ));
    }
    if a.aggkind == "h" {
        opts.push("HYPOTHETICAL".to_string());
    }
    match f.parallel {
        ParallelSafety::Safe => opts.push("PARALLEL = SAFE".to_string()),
        ParallelSafety::Restricted => opts.push("PARALLEL = RESTRICTED".to_string()),
        ParallelSafety::Unsafe => {}
    }
    let args = if f.arguments.is_empty() {
        "*".to_string()
    } else {
        f.arguments.clone()
    };
    vec![format!(
        "CREATE AGGREGATE {}({args}) (\n    {}\n)",
        f.name.sql(),
        opts.join(",\n    ")
    )]
}
