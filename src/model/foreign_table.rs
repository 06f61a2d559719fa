//! Foreign tables.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{Generated, GenericOptions, PartitionOf, QualifiedName};

/// A foreign table (`CREATE FOREIGN TABLE`), a partition of a partitioned table or not.
/// Its rows live elsewhere: pgsyncer's data phase never reads nor writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignTable {
    pub name: QualifiedName,
    /// `SERVER`, by name.
    pub server: String,
    /// Table `OPTIONS`.
    pub options: GenericOptions,
    /// Columns in attnum order, by name.
    #[serde(with = "indexmap::map::serde_seq")]
    pub columns: IndexMap<String, ForeignColumn>,
    /// The `CHECK` constraints it declares itself, by name (sorted): definition as
    /// `pg_get_constraintdef` prints it. Never enforced by PostgreSQL on foreign rows.
    #[serde(with = "indexmap::map::serde_seq")]
    pub checks: IndexMap<String, String>,
    /// `INHERITS (…)` parents, in order (not for partitions).
    pub inherits: Vec<QualifiedName>,
    /// `PARTITION OF parent FOR VALUES …`.
    pub partition_of: Option<PartitionOf>,
}

/// A foreign table's column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignColumn {
    pub name: String,
    /// `format_type` text.
    pub data_type: String,
    /// `COLLATE`, quoted and qualified, when not the type's default.
    pub collation: Option<String>,
    pub not_null: bool,
    /// `DEFAULT` expression (`pg_get_expr`).
    pub default: Option<String>,
    /// `GENERATED ALWAYS AS (…) STORED` (or `VIRTUAL`, 18+).
    pub generated: Option<Generated>,
    /// Declared by the table itself (false: taken from a parent, as a partition's are).
    pub is_local: bool,
    /// Column `OPTIONS`.
    pub options: GenericOptions,
}
