//! Views, materialized views, functions, triggers and policies, and the semantic comparison
//! of SQL definitions.

use super::{ChangeKind, Changes};
use crate::model::{Function, ObjectId, Schema};

/// The canonical text of a SQL statement or query: `pg_query` parse then deparse, so layout,
/// keyword case and redundant parentheses never count as a difference while aliases and
/// constants still do (unlike `fingerprint`/`normalize`). `None` when it does not parse or
/// the deparser does not support a node (it can panic; the panic is caught).
pub fn normalize_sql(sql: &str) -> Option<String> {
    let text = sql.trim().trim_end_matches(';').to_string();
    std::panic::catch_unwind(move || {
        let parsed = pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).ok()?;
        parsed.deparse(Default::default()).ok()
    })
    .ok()
    .flatten()
}

/// Whether two definitions mean the same: equal text, or equal canonical forms.
pub fn same_sql(a: &str, b: &str) -> bool {
    if a.trim() == b.trim() {
        return true;
    }
    match (normalize_sql(a), normalize_sql(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

pub(super) fn views(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.views {
        let id = ObjectId::View(name.clone());
        let Some(s) = standin.views.get(name) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        if same_sql(&s.definition, &m.definition) && s.options == m.options {
            continue;
        }
        // CREATE OR REPLACE VIEW keeps the existing columns (names, types, collations) and
        // may only add new ones last.
        let keeps_columns =
            m.columns.starts_with(&s.columns) && m.column_types.starts_with(&s.column_types);
        if keeps_columns {
            changes.push(id, ChangeKind::Replace);
        } else {
            changes.recreate(id);
        }
    }
    for name in standin.views.keys() {
        if !main.views.contains_key(name) {
            changes.extra(ObjectId::View(name.clone()));
        }
    }
}

pub(super) fn materialized_views(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (name, m) in &main.materialized_views {
        let id = ObjectId::MaterializedView(name.clone());
        let Some(s) = standin.materialized_views.get(name) else {
            changes.push(id, ChangeKind::Create);
            continue;
        };
        let same = same_sql(&s.definition, &m.definition)
            && s.options == m.options
            && s.access_method == m.access_method
            && s.populated == m.populated
            && s.columns == m.columns;
        if !same {
            changes.recreate(id);
        }
    }
    for name in standin.materialized_views.keys() {
        if !main.materialized_views.contains_key(name) {
            changes.extra(ObjectId::MaterializedView(name.clone()));
        }
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

pub(super) fn functions(main: &Schema, standin: &Schema, changes: &mut Changes) {
    // Range constructors are not in the model (sql/functions.sql leaves them out).
    for (id, m) in &main.functions {
        let Some(s) = standin.functions.get(id) else {
            changes.push(id.clone(), ChangeKind::Create);
            continue;
        };
        if same_function(m, s) {
            continue;
        }
        // CREATE OR REPLACE cannot change the result type, argument names or defaults, or
        // turn a function into a procedure; aggregates have no OR REPLACE before 12 and
        // their definition is not one statement: drop and create those.
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

pub(super) fn triggers(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (key, m) in &main.triggers {
        let id = ObjectId::Trigger(key.clone());
        match standin.triggers.get(key) {
            None => changes.push(id, ChangeKind::Create),
            Some(s)
                if !same_sql(&s.definition, &m.definition)
                    || s.is_constraint != m.is_constraint =>
            {
                changes.recreate(id)
            }
            Some(s) if s.enabled != m.enabled => changes.push(id, ChangeKind::TriggerEnabled),
            Some(_) => {}
        }
    }
    for key in standin.triggers.keys() {
        if !main.triggers.contains_key(key) {
            changes.extra(ObjectId::Trigger(key.clone()));
        }
    }
}

pub(super) fn policies(main: &Schema, standin: &Schema, changes: &mut Changes) {
    for (key, m) in &main.policies {
        let id = ObjectId::Policy(key.clone());
        match standin.policies.get(key) {
            None => changes.push(id, ChangeKind::Create),
            Some(s) if s != m => changes.recreate(id),
            Some(_) => {}
        }
    }
    for key in standin.policies.keys() {
        if !main.policies.contains_key(key) {
            changes.extra(ObjectId::Policy(key.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_not_a_difference() {
        assert!(same_sql(
            " SELECT t.id,\n    t.v\n   FROM t\n  WHERE (t.id > 10);",
            "select t.id, t.v from t where t.id > 10"
        ));
    }

    #[test]
    fn aliases_and_constants_are_differences() {
        assert!(!same_sql(
            "SELECT id FROM t WHERE id > 10",
            "SELECT id FROM t WHERE id > 11"
        ));
        assert!(!same_sql("SELECT id AS a FROM t", "SELECT id AS b FROM t"));
    }

    #[test]
    fn unparsable_text_compares_as_text() {
        assert!(same_sql("not sql", "not sql"));
        assert!(!same_sql("not sql", "not  sql at all"));
    }
}
