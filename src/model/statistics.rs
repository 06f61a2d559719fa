//! Extended statistics.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// An extended statistics object (`CREATE STATISTICS`): ndistinct, dependencies, mcv, and
/// from 14 expressions, on columns of one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// Schema and name (the schema may differ from its table's).
    pub name: QualifiedName,
    /// The relation it is on (a table or materialized view).
    pub table: QualifiedName,
    /// `pg_get_statisticsobjdef`: the whole `CREATE STATISTICS` statement (kinds when not
    /// all of them, columns and expressions, the relation).
    pub definition: String,
    /// `ALTER STATISTICS … SET STATISTICS n`; `None` for the default (-1 before 17, NULL
    /// from 17).
    pub target: Option<i32>,
}
