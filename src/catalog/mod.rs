//! Catalog introspection: run the queries in `sql/`, build a [`crate::model::Schema`].
//!
//! A fixed number of queries per database (one per object kind), never one per object.

mod snapshot;

pub use snapshot::{load_snapshot, save_snapshot};

use std::path::PathBuf;

/// What went wrong reading a catalog or a snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A catalog query failed.
    #[error("{side}: catalog query {query} failed: {source}")]
    Query {
        side: crate::conn::Side,
        query: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A catalog row did not hold what the loader expected (a bug or an unknown version).
    #[error("{side}: catalog query {query}: unexpected row: {reason}")]
    Row {
        side: crate::conn::Side,
        query: &'static str,
        reason: String,
    },
    /// Reading or writing a snapshot file failed.
    #[error("snapshot {path}: {source}")]
    SnapshotIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A snapshot file is not a valid model.
    #[error("snapshot {path}: not a pgsyncer schema snapshot: {source}")]
    SnapshotFormat {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// Which schemas to introspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFilter {
    /// These schemas (by exact name).
    Only(Vec<String>),
    /// Every schema but the system ones (`pg_catalog`, `information_schema`, `pg_toast*`,
    /// `pg_temp*`) and those an extension created.
    All,
}

impl SchemaFilter {
    /// From the command line's `--schema` / `--all-schemas`.
    pub fn from_args(args: &crate::cli::SchemaArgs) -> SchemaFilter {
        if args.all_schemas {
            SchemaFilter::All
        } else {
            SchemaFilter::Only(args.schemas.clone())
        }
    }
}
