//! Collations created by the user (not those initdb or an extension made).

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A collation (`CREATE COLLATION`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    /// Schema and name.
    pub name: QualifiedName,
    /// Provider: `c` (libc), `i` (ICU), `b` (builtin, 17+), `d` (default).
    pub provider: String,
    /// `LC_COLLATE` (libc) or the locale (ICU / builtin).
    pub collate: Option<String>,
    /// `LC_CTYPE` (libc); `None` for ICU.
    pub ctype: Option<String>,
    /// `DETERMINISTIC` (false = nondeterministic, e.g. case-insensitive ICU collations).
    pub deterministic: bool,
    /// ICU tailoring rules (16+), if any.
    pub rules: Option<String>,
}
