//! Tables and their columns.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{QualifiedName, SequenceOptions};

/// A table: ordinary, partitioned (`partition_by`) or a partition (`partition_of`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Schema and name.
    pub name: QualifiedName,
    /// Columns in `attnum` order, by name (dropped columns are not listed).
    #[serde(with = "indexmap::map::serde_seq")]
    pub columns: IndexMap<String, Column>,
    /// `UNLOGGED`.
    pub unlogged: bool,
    /// Storage parameters (`WITH (…)`), `name=value` as in `reloptions`, in
    /// stored order (pg_dump prints that order; compare them as a set when diffing).
    pub options: Vec<String>,
    /// Table access method when not `heap` (`USING …`); `None` for heap and partitioned.
    pub access_method: Option<String>,
    /// `REPLICA IDENTITY`.
    pub replica_identity: ReplicaIdentity,
    /// `ENABLE ROW LEVEL SECURITY`.
    pub rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    pub rls_forced: bool,
    /// `INHERITS (…)` parents in order (not the parent of a partition).
    pub inherits: Vec<QualifiedName>,
    /// `PARTITION BY …` as `pg_get_partkeydef` renders it, for a partitioned table.
    pub partition_by: Option<String>,
    /// Parent and bound, for a partition.
    pub partition_of: Option<PartitionOf>,
    /// Owner role name (not rendered yet; kept so ownership can be added).
    pub owner: String,
}

/// `PARTITION OF parent FOR VALUES …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    /// The partitioned table.
    pub parent: QualifiedName,
    /// `pg_get_expr(relpartbound)`: `FOR VALUES …` or `DEFAULT`.
    pub bound: String,
}

/// `REPLICA IDENTITY` of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaIdentity {
    /// `DEFAULT` (the primary key).
    Default,
    /// `NOTHING`.
    Nothing,
    /// `FULL`.
    Full,
    /// `USING INDEX name` (an index in the table's schema).
    Index(String),
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Type as `format_type(atttypid, atttypmod)` renders it (qualified when needed).
    pub data_type: String,
    /// `COLLATE` when it differs from the type's default (qualified, quoted SQL).
    pub collation: Option<String>,
    /// `NOT NULL` (`attnotnull`).
    pub not_null: bool,
    /// The NOT NULL constraint's name (PostgreSQL 18+, where NOT NULL is a named
    /// constraint): known when the constraint is the table's own or the table is a
    /// partition; `None` before 18 and for a constraint only inherited from a parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_null_name: Option<String>,
    /// `DEFAULT` expression (`pg_get_expr`); `None` for generated columns.
    pub default: Option<String>,
    /// `GENERATED … AS IDENTITY`, if an identity column.
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (…)`, if a generated column.
    pub generated: Option<Generated>,
    /// False when the column only comes from a parent (inheritance or partition) and is
    /// not declared locally: it is then left out of the child's `CREATE TABLE`.
    pub is_local: bool,
    /// `STORAGE` when it differs from the type's default (`p`, `e`, `m`, `x`).
    pub storage: Option<String>,
    /// The type's own storage (`typstorage`): what a column set otherwise goes back to
    /// (`SET STORAGE DEFAULT` is 16+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_storage: Option<String>,
    /// `COMPRESSION` method (`pglz`, `lz4`) when set.
    pub compression: Option<String>,
    /// `SET STATISTICS` target when set (not -1/NULL).
    pub statistics: Option<i32>,
    /// Attribute options (`attoptions`: `n_distinct=…`, `n_distinct_inherited=…`) as
    /// `name=value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Column {
    /// The NOT NULL constraint's name when it is known and not the one PostgreSQL picks
    /// by itself (`<table>_<column>_not_null`): what pg_dump writes as
    /// `CONSTRAINT name NOT NULL`.
    pub fn custom_not_null_name(&self, table: &str) -> Option<&str> {
        self.not_null_name
            .as_deref()
            .filter(|n| self.not_null && *n != default_not_null_name(table, &self.name))
    }
}

/// The name PostgreSQL 18 gives a column's NOT NULL constraint when none is written (as
/// pg_dump assumes it: before truncation to 63 bytes or a suffix that makes it unique).
fn default_not_null_name(table: &str, column: &str) -> String {
    format!("{table}_{column}_not_null")
}

/// An identity column's kind and sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `ALWAYS` or `BY DEFAULT`.
    pub kind: IdentityKind,
    /// Name of the implicit sequence (in the table's schema).
    pub sequence_name: String,
    /// Its options.
    pub options: SequenceOptions,
}

/// `GENERATED ALWAYS` or `GENERATED BY DEFAULT` for identity columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityKind {
    Always,
    ByDefault,
}

/// A generated column's expression and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The expression (`pg_get_expr(adbin)`).
    pub expression: String,
    /// `STORED`, or `VIRTUAL` (18+).
    pub kind: GeneratedKind,
}

/// `STORED` or `VIRTUAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GeneratedKind {
    Stored,
    Virtual,
}
