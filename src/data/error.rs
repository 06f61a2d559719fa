//! Errors of the data sync, each naming the side, the table and the statement that failed.

use crate::conn::{ConnectError, Side};

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// A statement failed on one side. `what` is short (see [`QueryContext::ctx`]); the
    /// server's message follows it, its detail and hint are added by
    /// [`crate::report::report`].
    #[error("{side}: {what}: {}", crate::report::pg_reason(.source))]
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
        source: crate::data::compare::int8_copy::Int8CopyError,
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
    /// A row-level security policy applies to `role` on `side`'s table. Every session runs
    /// with `row_security = off`, so PostgreSQL refused the read or write instead of showing
    /// part of the rows (which the sync would have taken for the whole table).
    #[error(
        "table {table}: a row-level security policy on {side} applies to role {role}, which would see only some of the rows; \
         the table was not synced and nothing in it changed. Make {role} the table's owner \
         (without FORCE ROW LEVEL SECURITY), grant it BYPASSRLS, or leave the table out with --exclude '{pattern}'"
    )]
    RowSecurity {
        side: Side,
        table: String,
        role: String,
        /// The `--exclude` pattern naming this table.
        pattern: String,
        #[source]
        source: Box<DataError>,
    },
    /// Some tables failed and were rolled back; the others were synced. `tables` holds
    /// each failed table's error, one after the other.
    #[error("{failed} of {total} tables failed and were rolled back (the others were synced):\n{tables}")]
    TablesFailed {
        failed: usize,
        total: usize,
        tables: String,
    },
    /// The run stopped part way (a connection died, a server restarted): `summary` holds
    /// the tables that finished, the one that failed and those never started.
    #[error("the data sync stopped: {source}\n{progress}")]
    Stopped {
        progress: String,
        summary: Box<crate::data::Summary>,
        #[source]
        source: Box<DataError>,
    },
    /// `--fdw-mode` could not be set up.
    #[error(transparent)]
    Fdw(#[from] crate::data::strategy::fdw::FdwError),
    #[error("a worker task ended abnormally: {0}")]
    Worker(String),
}

/// Attach side and statement context to a driver error.
pub(crate) trait QueryContext<T> {
    fn ctx(self, side: Side, what: impl FnOnce() -> String) -> Result<T, DataError>;
}

impl<T> QueryContext<T> for Result<T, tokio_postgres::Error> {
    /// `what` is often the statement itself: it is shortened here, the one place, so a
    /// message shows its start (the kind of statement and its table), not pages of SQL.
    fn ctx(self, side: Side, what: impl FnOnce() -> String) -> Result<T, DataError> {
        self.map_err(|source| DataError::Query {
            side,
            what: shorten(&what()),
            source,
        })
    }
}

/// SQLSTATE and message start of PostgreSQL's refusal under `row_security = off`
/// ("query would be affected by row-level security policy for table …"). The message is
/// matched in English only; under another `lc_messages` the server's own error is reported.
const ROW_SECURITY_MESSAGE: &str = "row-level security";

/// The side whose row-level security policy `error` reports, if it is that refusal. An error
/// raised by main through postgres_fdw reaches pgsyncer from the standin, with the remote
/// statement as its context: that is main's policy.
pub fn row_security_side(error: &DataError) -> Option<Side> {
    match error {
        DataError::Table { source, .. } => row_security_side(source),
        DataError::Query { side, source, .. } => {
            let db = source.as_db_error()?;
            if *db.code() != tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE
                || !db.message().contains(ROW_SECURITY_MESSAGE)
            {
                return None;
            }
            let remote = db
                .where_()
                .is_some_and(|w| w.contains("remote SQL command"));
            Some(if remote { Side::Main } else { *side })
        }
        _ => None,
    }
}

/// Longest statement text a message shows, in characters.
const SHOWN_CHARS: usize = 200;

/// `text` on one line (runs of white space made one space), cut after [`SHOWN_CHARS`]
/// characters with an ellipsis.
pub fn shorten(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn statements_are_shortened_to_one_line() {
        assert_eq!(shorten("SELECT 1"), "SELECT 1");
        assert_eq!(
            shorten("INSERT INTO t\n  SELECT *\n\tFROM s"),
            "INSERT INTO t SELECT * FROM s"
        );
        let long = format!("INSERT INTO t VALUES {}", "(1, 'é'), ".repeat(100));
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 201);
        assert!(short.starts_with("INSERT INTO t VALUES") && short.ends_with('…'));
    }
}
