//! Foreign-data wrappers, and the generic options every SQL/MED object carries.

use serde::{Deserialize, Serialize};

/// Generic options (`OPTIONS (name 'value', …)`) as `(name, value)` pairs sorted by name
/// (`COLLATE "C"`), as pg_dump prints them: their order carries no meaning.
pub type GenericOptions = Vec<(String, String)>;

/// Whether an option is a secret pgsyncer never reads nor copies: any whose name contains
/// `password` (a user mapping's `password`, postgres_fdw's `password_required`,
/// `sslpassword`). The catalog queries apply the same rule (`ILIKE '%password%'`), so
/// the values never leave the server; this is for what the model is given otherwise.
pub fn is_secret_option(name: &str) -> bool {
    name.to_lowercase().contains("password")
}

/// A foreign-data wrapper that no extension owns (`CREATE FOREIGN DATA WRAPPER`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignDataWrapper {
    /// Wrapper name (database-wide, no schema).
    pub name: String,
    /// `HANDLER` function, schema-qualified (`regproc` text); `None`: no handler.
    pub handler: Option<String>,
    /// `VALIDATOR` function, schema-qualified; `None`: no validator.
    pub validator: Option<String>,
    /// `OPTIONS`, secrets left out.
    pub options: GenericOptions,
    /// Names of the options left out as secrets ([`is_secret_option`]): never copied.
    pub secret_options: Vec<String>,
}
