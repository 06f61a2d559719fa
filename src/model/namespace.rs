//! Schemas (namespaces).

use serde::{Deserialize, Serialize};

/// A schema. `public` is listed too when selected; rendering skips creating it when it is
/// expected to exist already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// Schema name, unquoted.
    pub name: String,
    /// Owner role name (not rendered yet: ownership is out of scope, kept for later).
    pub owner: String,
}
