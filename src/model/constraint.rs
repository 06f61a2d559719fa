//! Table constraints (not NOT NULL, which is a column property here).

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A table constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// The table it is on.
    pub table: QualifiedName,
    /// Constraint name.
    pub name: String,
    /// Primary key, unique, check, foreign key or exclusion.
    pub kind: ConstraintKind,
    /// `pg_get_constraintdef` text, the whole definition after `CONSTRAINT name`
    /// (includes `NOT VALID`, `DEFERRABLE`, `NO INHERIT`, `NULLS NOT DISTINCT`, actions).
    pub definition: String,
    /// Constrained columns, in key order (empty for expression-only checks).
    pub columns: Vec<String>,
    /// For a foreign key: the referenced table.
    pub referenced_table: Option<QualifiedName>,
    /// For a foreign key: the referenced columns.
    pub referenced_columns: Vec<String>,
    /// False when `NOT VALID` and never validated.
    pub validated: bool,
    /// `DEFERRABLE`.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub initially_deferred: bool,
    /// `NO INHERIT` (check constraints).
    pub no_inherit: bool,
    /// False for `NOT ENFORCED` (18+); always true before 18.
    pub enforced: bool,
    /// `NULLS NOT DISTINCT` on a unique constraint or primary key (15+).
    pub nulls_not_distinct: bool,
    /// Name of the index that enforces it (primary key, unique, exclusion).
    pub index: Option<String>,
    /// The table is clustered on that index (`CLUSTER ON`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clustered: bool,
}

/// What a constraint checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    Check,
    ForeignKey,
    Exclusion,
}
