//! Casts and conversions created by users (not by initdb or an extension).

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A cast (`CREATE CAST`). Casts belong to no schema; one is read when its source or
/// target type or its function is in a selected schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cast {
    /// The source type as `format_type` prints it (qualified outside `pg_catalog`).
    pub source: String,
    /// The target type, likewise.
    pub target: String,
    /// How the value is converted.
    pub method: CastMethod,
    /// When the cast applies without being written.
    pub context: CastContext,
}

/// How a cast converts: `castmethod` and `castfunc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CastMethod {
    /// `WITH FUNCTION`: the function's signature as `regprocedure` prints it.
    Function(String),
    /// `WITHOUT FUNCTION`: the types are binary coercible.
    Binary,
    /// `WITH INOUT`: through the types' text forms.
    InOut,
}

/// `castcontext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CastContext {
    /// Only when written (`CAST(…)`, `::`).
    Explicit,
    /// `AS ASSIGNMENT`.
    Assignment,
    /// `AS IMPLICIT`.
    Implicit,
}

/// A conversion between two encodings (`CREATE [DEFAULT] CONVERSION`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversion {
    /// Schema and name.
    pub name: QualifiedName,
    /// Source encoding name (`UTF8`).
    pub from_encoding: String,
    /// Destination encoding name.
    pub to_encoding: String,
    /// The conversion function, by schema and name.
    pub function: QualifiedName,
    /// `DEFAULT`: the one used for this pair of encodings.
    pub default: bool,
}
