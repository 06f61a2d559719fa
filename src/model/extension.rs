//! Extensions.

use serde::{Deserialize, Serialize};

/// An installed extension. Its member objects are not in the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Extension name (e.g. `pg_trgm`).
    pub name: String,
    /// Schema its objects were installed into (`WITH SCHEMA`).
    pub schema: String,
    /// Installed version (`extversion`).
    pub version: String,
}
