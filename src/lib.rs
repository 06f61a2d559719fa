//! pgsyncer: make a standin PostgreSQL database match a main one, schema first, then rows.
//!
//! # Layout
//!
//! - [`catalog`]: catalog queries (`sql/*.sql`) into a [`model::Schema`]; snapshots.
//! - [`cli`]: command-line definitions (the Go tool's flags and the subcommands).
//! - [`commands`]: one module per subcommand; `main.rs` only parses and dispatches.
//! - [`data`]: the data sync: shared snapshot, chunk checksums, COPY streams, batched apply.
//! - [`conn`]: DSNs, PG* variables, `.pgpass`, TLS, read-only main sessions, secret masking.
//! - [`ddl`]: CREATE statements per object kind, the dump order, pg_query validation.
//! - [`graph`]: dependency graph with a deterministic prioritised topological sort.
//! - [`kinds`]: one module per object kind: its diff and its plan steps behind one interface.
//! - [`interrupt`]: SIGINT / SIGTERM: stop, roll back, remove `--fdw-mode` objects, exit 130 / 143.
//! - [`model`]: the schema model, one module per object kind, no I/O.
//! - [`quote`]: the one quoting function for identifiers and literals.
//! - [`sandbox`]: throwaway local clusters for tests and `demo`.
//! - [`diff`]: two models in, the changes that make the standin's equal main's (no I/O).
//! - [`plan`]: changes ordered into validated SQL with hazards; the migration file and JSON.
//! - [`apply`]: run a plan on the standin in one transaction.
//! - [`schema_sync`]: the schema phase of `sync` (introspect both, plan, apply).
//! - [`error`]: the top-level error and its exit codes.
//! - [`report`]: an error's chain as the user reads it (server message, SQLSTATE, detail, hint).
//! - [`logging`]: `-v`/`-vv`/`-vvv` and `PGSYNCER_LOG` on stderr.

pub mod apply;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod conn;
pub mod data;
pub mod ddl;
pub mod diff;
pub mod error;
pub mod graph;
pub mod interrupt;
pub mod kinds;
pub mod logging;
pub mod model;
pub mod plan;
pub mod quote;
pub mod report;
pub mod sandbox;
pub mod schema_sync;

pub use error::Error;
