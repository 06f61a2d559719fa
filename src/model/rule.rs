//! Rewrite rules.

use serde::{Deserialize, Serialize};

use super::{QualifiedName, TriggerEnabled};

/// A rewrite rule (`CREATE RULE`) on a table or view; never a view's `_RETURN` rule, which
/// is the view itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The table or view it is on.
    pub table: QualifiedName,
    /// Rule name.
    pub name: String,
    /// `pg_get_ruledef(oid, false)` without its trailing `;`: the whole `CREATE RULE`
    /// (event, `WHERE`, `INSTEAD`/`ALSO`, actions).
    pub definition: String,
    /// `ev_enabled`, the same four states as a trigger's (`ALTER TABLE … DISABLE RULE`,
    /// `ENABLE REPLICA RULE`, `ENABLE ALWAYS RULE`); always origin on views, which
    /// PostgreSQL does not let change.
    pub enabled: TriggerEnabled,
}
