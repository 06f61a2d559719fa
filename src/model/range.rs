//! Range types.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A range type (`CREATE TYPE … AS RANGE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeType {
    /// Schema and name.
    pub name: QualifiedName,
    /// `SUBTYPE`, as `format_type` renders it.
    pub subtype: String,
    /// `SUBTYPE_OPCLASS` when not the subtype's default (qualified, quoted SQL).
    pub subtype_opclass: Option<String>,
    /// `COLLATION` when not the subtype's default (qualified, quoted SQL).
    pub collation: Option<String>,
    /// `CANONICAL` function (qualified, quoted SQL), if any.
    pub canonical: Option<String>,
    /// `SUBTYPE_DIFF` function (qualified, quoted SQL), if any.
    pub subtype_diff: Option<String>,
    /// `MULTIRANGE_TYPE_NAME` (qualified, quoted SQL); `None` on 13, which has none.
    pub multirange: Option<String>,
}
