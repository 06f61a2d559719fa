//! Indexes that no constraint owns.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// An index (`CREATE INDEX`), on a table, partitioned table or materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Schema (that of its table) and index name.
    pub name: QualifiedName,
    /// The relation it indexes.
    pub table: QualifiedName,
    /// `pg_get_indexdef`: the whole `CREATE [UNIQUE] INDEX … USING …` statement (method,
    /// columns/expressions, opclasses, collations, ordering, INCLUDE, WHERE, WITH).
    pub definition: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// Access method (`btree`, `gin`, …).
    pub method: String,
    /// The index of the partitioned parent this one is attached to, if a partition's.
    pub parent_index: Option<QualifiedName>,
    /// `pg_index.indisclustered`: `CLUSTER … USING` this index was run.
    pub clustered: bool,
    /// False when a failed `CREATE INDEX CONCURRENTLY` left it invalid.
    pub valid: bool,
    /// Storage parameters (`reloptions`, `name=value`), also part of `definition`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Statistics targets set on its expression columns: `(column number, target)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statistics: Vec<(i32, i32)>,
}
