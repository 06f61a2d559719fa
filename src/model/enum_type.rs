//! Enum types.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// An enum type (`CREATE TYPE … AS ENUM`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    /// Schema and name.
    pub name: QualifiedName,
    /// Labels in sort order (`enumsortorder`), which is the order values compare in.
    pub labels: Vec<String>,
}
