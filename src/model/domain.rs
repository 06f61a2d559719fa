//! Domains.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A domain (`CREATE DOMAIN`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Schema and name.
    pub name: QualifiedName,
    /// Base type as `format_type` renders it, with typmod (e.g. `character varying(20)`).
    pub base_type: String,
    /// Collation when it differs from the base type's default (qualified, quoted SQL).
    pub collation: Option<String>,
    /// `DEFAULT` expression (`pg_get_expr`), if any.
    pub default: Option<String>,
    /// `NOT NULL`.
    pub not_null: bool,
    /// CHECK constraints by name, in name order.
    #[serde(with = "indexmap::map::serde_seq")]
    pub constraints: IndexMap<String, DomainConstraint>,
}

/// A CHECK constraint of a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainConstraint {
    /// Constraint name.
    pub name: String,
    /// `pg_get_constraintdef` text, e.g. `CHECK ((VALUE > 0))` (with `NOT VALID` if so).
    pub definition: String,
    /// False when added `NOT VALID` and never validated.
    pub validated: bool,
}
