//! Foreign servers.

use serde::{Deserialize, Serialize};

use super::GenericOptions;

/// A foreign server (`CREATE SERVER`) that no extension owns. pgsyncer's own `--fdw-mode`
/// server is never in the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignServer {
    /// Server name (database-wide, no schema).
    pub name: String,
    /// Its foreign-data wrapper, by name.
    pub wrapper: String,
    /// `TYPE 'server_type'`, if given.
    pub server_type: Option<String>,
    /// `VERSION 'server_version'`, if given.
    pub version: Option<String>,
    /// `OPTIONS`, secrets left out.
    pub options: GenericOptions,
    /// Names of the options left out as secrets: never copied.
    pub secret_options: Vec<String>,
}
