//! Sessions of the data sync: settings pinned on both sides, and one exported snapshot on
//! main shared by every worker.

use crate::conn::{Endpoint, Session};
use crate::data::error::{DataError, QueryContext};
use crate::quote::literal;

/// Every setting that changes the text of a value, pinned so both servers print rows alike.
/// Timeouts are lifted: a long COPY or an open snapshot is expected here.
const PINNED: &str =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET IntervalStyle = 'postgres'; \
    SET extra_float_digits = 3; SET bytea_output = 'hex'; SET client_encoding = 'UTF8'; \
    SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; SET jit = off";

/// Settings for a query that groups rows into buckets with hash aggregation. The planner
/// cannot know how many values `hash >> shift` has: it would sort every (wide) row first,
/// several times slower, and size the hash table for one group per row, spilling to disk.
/// Up to 2^18 buckets of a count and a sum fit in a few tens of MB. Parallel workers are
/// off: pgsyncer's own workers already keep the servers busy with one table each, and
/// partial aggregates of many buckets merged afterwards cost more CPU than they save.
const HASH_GROUPING: &str =
    "SET enable_sort = off; SET work_mem = '64MB'; SET max_parallel_workers_per_gather = 0";
const HASH_GROUPING_RESET: &str =
    "RESET enable_sort; RESET work_mem; RESET max_parallel_workers_per_gather";

/// Run a query that groups rows into buckets with hash aggregation ([`HASH_GROUPING`]).
pub async fn query_hash_grouped(
    session: &Session,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Vec<tokio_postgres::Row>, DataError> {
    session
        .batch_execute(HASH_GROUPING)
        .await
        .ctx(session.side, || HASH_GROUPING.to_string())?;
    let rows = session
        .query(sql, params)
        .await
        .ctx(session.side, || sql.to_string());
    // A failed query leaves the transaction aborted; RESET would fail too and hide the cause.
    if rows.is_ok() {
        session
            .batch_execute(HASH_GROUPING_RESET)
            .await
            .ctx(session.side, || HASH_GROUPING_RESET.to_string())?;
    }
    rows
}

/// Open a session with the text-output settings pinned.
pub async fn open(endpoint: &Endpoint) -> Result<Session, DataError> {
    let session = endpoint.connect().await?;
    session
        .batch_execute(PINNED)
        .await
        .ctx(session.side, || "pinning session settings".to_string())?;
    Ok(session)
}

/// The coordinator: a read-only repeatable-read transaction on main whose snapshot every
/// worker imports. It must stay open until the workers are done.
pub struct Coordinator {
    pub session: Session,
    /// `None` when the server cannot export snapshots (e.g. a standby before PostgreSQL 10
    /// semantics); workers then read with their own snapshots and a warning says so.
    pub snapshot: Option<String>,
}

impl Coordinator {
    pub async fn start(main: &Endpoint) -> Result<Coordinator, DataError> {
        let session = open(main).await?;
        session
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .ctx(session.side, || {
                "starting the snapshot transaction".to_string()
            })?;
        let snapshot = match session.query_one("SELECT pg_export_snapshot()", &[]).await {
            Ok(row) => Some(row.get::<_, String>(0)),
            Err(e) => {
                tracing::warn!(
                    "main: cannot export a snapshot ({e}); tables will be read at slightly different instants"
                );
                // The failed statement aborted the transaction: start a fresh one.
                session
                    .batch_execute("ROLLBACK; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
                    .ctx(session.side, || {
                        "restarting the snapshot transaction".to_string()
                    })?;
                None
            }
        };
        Ok(Coordinator { session, snapshot })
    }

    /// A worker session on main reading as of the coordinator's snapshot.
    pub async fn worker_session(&self, main: &Endpoint) -> Result<Session, DataError> {
        let session = open(main).await?;
        let mut sql = String::from("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        if let Some(id) = &self.snapshot {
            sql.push_str(&format!("; SET TRANSACTION SNAPSHOT {}", literal(id)));
        }
        session.batch_execute(&sql).await.ctx(session.side, || {
            "importing the exported snapshot".to_string()
        })?;
        Ok(session)
    }

    pub async fn finish(self) -> Result<(), DataError> {
        self.session
            .batch_execute("COMMIT")
            .await
            .ctx(self.session.side, || {
                "ending the snapshot transaction".to_string()
            })
    }
}
