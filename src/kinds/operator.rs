//! Operators: the selectivity estimators (`RESTRICT`, `JOIN`) altered in place; anything
//! else rebuilds the operator, with what uses it (`pg_depend`: views, constraints, …).
//! PostgreSQL records no dependency between an operator and its commutator or negator, and
//! a `COMMUTATOR` or `NEGATOR` naming an operator that does not exist yet makes a shell
//! that the later `CREATE OPERATOR` fills, so they need no order.

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Operator, QualifiedName, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

pub(crate) struct Operators;

/// After functions (an operator's function and estimators), before tables, views and
/// indexes (whose expressions use it).
const RANK: u8 = 11;

impl Kind for Operators {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Operator { .. })
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("operators")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let name = r.qname("schema", "name")?;
            let left: Option<String> = r.get("left_type")?;
            let right: Option<String> = r.get("right_type")?;
            let id = ObjectId::Operator {
                schema: name.schema.clone(),
                name: name.name.clone(),
                args: Operator::args(left.as_deref(), right.as_deref()),
            };
            oids.insert("pg_operator", r.get("oid")?, id.clone());
            schema.operators.insert(
                id,
                Operator {
                    name,
                    left,
                    right,
                    function: r.qname("function_schema", "function_name")?,
                    commutator: r.get("commutator")?,
                    negator: r.get("negator")?,
                    restrict: r.opt_qname("restrict_schema", "restrict_name")?,
                    join: r.opt_qname("join_schema", "join_name")?,
                    hashes: r.get("hashes")?,
                    merges: r.get("merges")?,
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        schema.operators.get(id).map(operator).into_iter().collect()
    }

    /// With functions: before tables, views and indexes.
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (id, m) in &main.operators {
            match standin.operators.get(id) {
                None => changes.push(id.clone(), ChangeKind::Create),
                Some(s) if s == m => {}
                Some(s) if same_but_estimators(s, m) => {
                    changes.push(id.clone(), ChangeKind::OperatorEstimators)
                }
                Some(_) => changes.recreate(id.clone()),
            }
        }
        super::extras(&main.operators, &standin.operators, changes, |id| id);
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Operator { schema, name, args } => {
                format!(
                    "DROP OPERATOR {}.{name} ({args})",
                    crate::quote::ident(schema)
                )
            }
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        if let (ObjectId::Operator { schema, name, args }, ChangeKind::OperatorEstimators) =
            (id, &change.kind)
        {
            let Some(m) = ctx.main.operators.get(id) else {
                return;
            };
            let sql = format!(
                "ALTER OPERATOR {}.{name} ({args}) SET (RESTRICT = {}, JOIN = {})",
                crate::quote::ident(schema),
                estimator(&m.restrict),
                estimator(&m.join)
            );
            ctx.build(id, RANK, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }
}

/// Whether two operators differ only in what `ALTER OPERATOR … SET` changes on every
/// supported version (the estimators).
fn same_but_estimators(a: &Operator, b: &Operator) -> bool {
    Operator {
        restrict: b.restrict.clone(),
        join: b.join.clone(),
        ..a.clone()
    } == *b
}

fn estimator(f: &Option<QualifiedName>) -> String {
    f.as_ref()
        .map_or_else(|| "NONE".to_string(), QualifiedName::sql)
}

/// `CREATE OPERATOR` with every property main's has.
fn operator(o: &Operator) -> String {
    let mut parts = vec![format!("FUNCTION = {}", o.function.sql())];
    if let Some(l) = &o.left {
        parts.push(format!("LEFTARG = {l}"));
    }
    if let Some(r) = &o.right {
        parts.push(format!("RIGHTARG = {r}"));
    }
    if let Some(c) = &o.commutator {
        parts.push(format!("COMMUTATOR = {c}"));
    }
    if let Some(n) = &o.negator {
        parts.push(format!("NEGATOR = {n}"));
    }
    if let Some(f) = &o.restrict {
        parts.push(format!("RESTRICT = {}", f.sql()));
    }
    if let Some(f) = &o.join {
        parts.push(format!("JOIN = {}", f.sql()));
    }
    if o.hashes {
        parts.push("HASHES".to_string());
    }
    if o.merges {
        parts.push("MERGES".to_string());
    }
    format!(
        "CREATE OPERATOR {}.{} ({})",
        crate::quote::ident(&o.name.schema),
        o.name.name,
        parts.join(", ")
    )
}
