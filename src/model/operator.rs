//! Operators created by users (not by initdb or an extension).

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// An operator (`CREATE OPERATOR`). Shell operators (no function yet) are not modelled:
/// the COMMUTATOR or NEGATOR that names one makes it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Schema and name (the operator's symbols).
    pub name: QualifiedName,
    /// The left argument type as `format_type` prints it; `None` for a prefix operator.
    pub left: Option<String>,
    /// The right argument type; `None` only for a postfix operator (before 14).
    pub right: Option<String>,
    /// The function that implements it, by schema and name.
    pub function: QualifiedName,
    /// `COMMUTATOR`, as `OPERATOR(schema.name)`.
    pub commutator: Option<String>,
    /// `NEGATOR`, as `OPERATOR(schema.name)`.
    pub negator: Option<String>,
    /// `RESTRICT` selectivity estimator.
    pub restrict: Option<QualifiedName>,
    /// `JOIN` selectivity estimator.
    pub join: Option<QualifiedName>,
    /// `HASHES`.
    pub hashes: bool,
    /// `MERGES`.
    pub merges: bool,
}

impl Operator {
    /// The argument list as `DROP OPERATOR` and `COMMENT ON OPERATOR` write it:
    /// `(integer, integer)`, `(NONE, integer)`.
    pub fn args(left: Option<&str>, right: Option<&str>) -> String {
        format!("{}, {}", left.unwrap_or("NONE"), right.unwrap_or("NONE"))
    }
}
