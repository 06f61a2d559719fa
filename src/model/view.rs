//! Views and materialized views.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A view (`CREATE VIEW`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// Schema and name.
    pub name: QualifiedName,
    /// `pg_get_viewdef(oid, true)`: the query, schema-qualified where needed.
    pub definition: String,
    /// `WITH (…)` options as stored in `reloptions` (`security_barrier=true`,
    /// `check_option=cascaded`, `security_invoker=true` on 15+), in stored order.
    pub options: Vec<String>,
    /// Output column names in order (so column comments and diffs can name them).
    pub columns: Vec<String>,
    /// Output column types (`format_type`, with a `COLLATE` where the column has one), in
    /// order: `CREATE OR REPLACE VIEW` cannot change them. Empty in snapshots taken before
    /// they were read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub column_types: Vec<String>,
    /// Column defaults (`ALTER VIEW … ALTER COLUMN … SET DEFAULT`, for inserts through the
    /// view): `(column, pg_get_expr text)`, in column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub defaults: Vec<(String, String)>,
}

/// A materialized view (`CREATE MATERIALIZED VIEW`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterializedView {
    /// Schema and name.
    pub name: QualifiedName,
    /// `pg_get_viewdef(oid, true)`.
    pub definition: String,
    /// Storage parameters (`WITH (…)`), in stored order.
    pub options: Vec<String>,
    /// Access method when not `heap`.
    pub access_method: Option<String>,
    /// Whether it was populated (`WITH DATA`) or not (`WITH NO DATA`).
    pub populated: bool,
    /// Output column names in order.
    pub columns: Vec<String>,
}
