//! pgsyncer: make a standin PostgreSQL database match a main one, schema first, then rows.
//!
//! # Layout
//!
//! - [`cli`]: command-line definitions (the Go tool's flags and the subcommands).
//! - [`commands`]: one module per subcommand; `main.rs` only parses and dispatches.
//! - [`conn`]: DSNs, PG* variables, `.pgpass`, TLS, read-only main sessions, secret masking.
//! - [`quote`]: the one quoting function for identifiers and literals.
//! - [`sandbox`]: throwaway local clusters for tests and `demo`.
//! - [`error`]: the top-level error and its exit codes.

pub mod cli;
pub mod commands;
pub mod conn;
pub mod error;
pub mod quote;
pub mod sandbox;

pub use error::Error;
