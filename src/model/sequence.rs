//! Sequences.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// The options shared by sequences and identity columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceOptions {
    /// `AS` type: `smallint`, `integer` or `bigint`.
    pub data_type: String,
    /// `START WITH`.
    pub start: i64,
    /// `INCREMENT BY`.
    pub increment: i64,
    /// `MINVALUE`.
    pub min: i64,
    /// `MAXVALUE`.
    pub max: i64,
    /// `CACHE`.
    pub cache: i64,
    /// `CYCLE`.
    pub cycle: bool,
}

/// A sequence (`CREATE SEQUENCE`). Its current value is data, not schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    /// Schema and name.
    pub name: QualifiedName,
    /// Type, start, increment, bounds, cache, cycle.
    pub options: SequenceOptions,
    /// `OWNED BY table.column` (a `serial` column's sequence), if any.
    pub owned_by: Option<(QualifiedName, String)>,
    /// `UNLOGGED` (15+).
    pub unlogged: bool,
}
