//! Publications (logical replication's sending side).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A publication (`CREATE PUBLICATION`). Its members are read in the selected schemas only:
/// a table or schema outside them is not in the model, on either side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Publication name (database-wide, no schema).
    pub name: String,
    /// `FOR ALL TABLES`.
    pub all_tables: bool,
    /// The actions published (`publish = 'insert, update, delete, truncate'`).
    pub publish: PublishActions,
    /// `publish_via_partition_root`.
    pub via_root: bool,
    /// `publish_generated_columns = stored` (18+; false before).
    pub generated_columns: bool,
    /// `TABLE ONLY …` members, by table, with their column list and row filter (15+).
    #[serde(with = "indexmap::map::serde_seq")]
    pub tables: IndexMap<QualifiedName, PublishedTable>,
    /// `TABLES IN SCHEMA …` members (15+), by schema name, sorted.
    pub schemas: Vec<String>,
}

/// Which changes a publication sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishActions {
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
    pub truncate: bool,
}

/// One table a publication names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedTable {
    /// The column list, in column order; `None`: every column.
    pub columns: Option<Vec<String>>,
    /// The row filter (`WHERE`), as `pg_get_expr` prints it.
    pub row_filter: Option<String>,
}
