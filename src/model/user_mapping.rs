//! User mappings.

use serde::{Deserialize, Serialize};

use super::GenericOptions;

/// A user mapping (`CREATE USER MAPPING FOR role SERVER server`), without its secrets: a
/// `password` (any option whose name contains `password`) is never read, only named in
/// [`UserMapping::secret_options`], and reported as not synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserMapping {
    /// The server, by name.
    pub server: String,
    /// The role, by name; `None` for `PUBLIC`.
    pub role: Option<String>,
    /// `OPTIONS`, secrets left out.
    pub options: GenericOptions,
    /// Names of the options left out as secrets: never copied.
    pub secret_options: Vec<String>,
}
