//! Errors of the data sync, each naming the side, the table and the statement that failed.

use crate::conn::{ConnectError, Side};

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// A statement failed on one side.
    #[error("{side}: {what}: {source}")]
    Query {
        side: Side,
        what: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// The catalog answered something this code cannot use.
    #[error("{side}: reading table metadata: {message}")]
    Metadata { side: Side, message: String },
    /// A fingerprint stream (binary COPY) could not be read.
    #[error("{side}: reading row fingerprints: {source}")]
    Fingerprints {
        side: Side,
        #[source]
        source: super::int8_copy::Int8CopyError,
    },
    /// A foreign-key cycle whose constraints cannot be deferred or bypassed.
    #[error("foreign-key cycle {cycle}: its constraints are not DEFERRABLE and this role may not set session_replication_role = replica; make them DEFERRABLE or sync as a superuser")]
    Cycle { cycle: String },
    /// Work on one table failed (its changes were rolled back).
    #[error("table {table}: {source}")]
    Table {
        table: String,
        #[source]
        source: Box<DataError>,
    },
    /// Some tables failed; the others were synced. The summary lists which.
    #[error("{failed} of {total} tables failed; first: {first}")]
    TablesFailed {
        failed: usize,
        total: usize,
        first: String,
    },
    /// `--fdw-mode` could not be set up.
    #[error(transparent)]
    Fdw(#[from] super::fdw::FdwError),
    #[error("a worker task ended abnormally: {0}")]
    Worker(String),
}

/// Attach side and statement context to a driver error.
pub(crate) trait QueryContext<T> {
    fn ctx(self, side: Side, what: impl FnOnce() -> String) -> Result<T, DataError>;
}

impl<T> QueryContext<T> for Result<T, tokio_postgres::Error> {
    fn ctx(self, side: Side, what: impl FnOnce() -> String) -> Result<T, DataError> {
        self.map_err(|source| DataError::Query {
            side,
            what: what(),
            source,
        })
    }
}
