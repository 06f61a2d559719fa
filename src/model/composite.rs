//! Free-standing composite types.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A composite type (`CREATE TYPE … AS (…)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    /// Schema and name.
    pub name: QualifiedName,
    /// Attributes in order (`attnum`), by name.
    #[serde(with = "indexmap::map::serde_seq")]
    pub attributes: IndexMap<String, CompositeAttribute>,
}

/// One attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeAttribute {
    /// Attribute name.
    pub name: String,
    /// Type as `format_type` renders it, with typmod.
    pub data_type: String,
    /// Collation when it differs from the type's default (qualified, quoted SQL).
    pub collation: Option<String>,
}
