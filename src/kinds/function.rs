//! Functions, procedures and aggregates: `CREATE OR REPLACE` when the kind, arguments and
//! result stay, otherwise rebuilt. Definitions are compared after a `pg_query` parse →
//! deparse ([`crate::diff::same_sql`]).

use super::Kind;
use crate::ddl::create;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::{Function, ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

pub(crate) struct Functions;

impl Kind for Functions {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Function { .. })
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
        for id in standin.functions.keys() {
            if !main.functions.contains_key(id) {
                changes.extra(id.clone());
            }
        }
    }

    fn create(&self, ctx: &mut Ctx, id: &ObjectId) {
        let sqls = ctx.main.functions.get(id).map(create::function);
        for sql in sqls.unwrap_or_default() {
            ctx.build(id, 10, Action::Create, sql);
        }
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
            .and_then(|f| create::function(f).into_iter().next());
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
