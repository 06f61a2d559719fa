//! Watermarks of `--use-updated-at`: the safe point read on main before the snapshot, main's
//! identity, and the state table on the standin (`pgsyncer.sync_state`) that remembers the
//! last successful run's watermark per main database and table.
//!
//! # Why not the wall clock
//!
//! A row is read by the next run when `updated_at >= watermark`. A transaction that was open
//! on main when this run's snapshot was taken is invisible to it, yet may commit a moment
//! later with an `updated_at` from before the snapshot (its `now()` is its start time). If
//! the watermark were the snapshot time, the next run would skip that row forever. So the
//! watermark is the start of the oldest transaction open on main just before the snapshot
//! (read from `pg_stat_activity` in a statement of its own, before the snapshot exists): every
//! transaction this snapshot cannot see either was open then (and started at or after the
//! watermark) or started later. `>=` because the oldest such transaction's `now()` equals it.
//! When other sessions' times are hidden (no `pg_read_all_stats`), the read time minus
//! `--watermark-margin` is used instead, with a warning.

use std::collections::HashMap;

use crate::conn::{Endpoint, Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::quote::literal;

const SAFE_POINT_SQL: &str = include_str!("../../../sql/data/safe_point.sql");
const STATE_DDL: &str = include_str!("../../../sql/data/sync_state.sql");

/// The schema pgsyncer keeps its state in on the standin; never synced or dropped as data.
pub const STATE_SCHEMA: &str = "pgsyncer";

/// Which main database a watermark belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MainIdentity {
    /// `pg_control_system().system_identifier`, or `addr:<host:port>` when this role may not
    /// call it.
    pub system: String,
    pub database: String,
}

/// What main looked like just before the snapshot.
#[derive(Debug, Clone)]
pub struct SafePoint {
    pub identity: MainIdentity,
    /// The watermark to record for this run (timestamptz text, UTC), margin already subtracted.
    pub watermark: String,
    /// How it was found, for the summary.
    pub source: &'static str,
    /// main's default `TimeZone` (before pgsyncer pins UTC): `timestamp without time zone`
    /// columns hold local times in it.
    pub timezone: String,
}

/// Read the safe point on main, on a `session` outside the snapshot transaction; `identity`
/// from [`identity`]. Must run before the shared snapshot is taken.
pub async fn safe_point(
    session: &Session,
    identity: MainIdentity,
    margin_seconds: f64,
) -> Result<SafePoint, DataError> {
    let row = session
        .query_one(SAFE_POINT_SQL, &[&margin_seconds])
        .await
        .ctx(Side::Main, || "reading open transactions".to_string())?;
    let oldest: String = row.get("oldest");
    let read_at: String = row.get("read_at");
    let hidden: i64 = row.get("hidden");
    let prepared: i64 = row.get("prepared");
    let timezone: Option<String> = row.get("default_timezone");
    if prepared > 0 {
        tracing::warn!(
            "main: {prepared} prepared transaction(s) pending; their rows' updated_at may be older than any watermark: use --watermark-margin to cover them"
        );
    }
    let (watermark, source) = if hidden > 0 {
        tracing::warn!(
            "main: {hidden} session(s) of other roles are hidden from pg_stat_activity (grant pg_read_all_stats to see them); watermark = now - --watermark-margin, so a transaction older than the margin that commits during this run may be missed next time"
        );
        (read_at, "read time minus margin")
    } else {
        (oldest, "oldest open transaction on main")
    };
    Ok(SafePoint {
        identity,
        watermark,
        source,
        timezone: timezone.unwrap_or_else(|| "UTC".to_string()),
    })
}

/// Which main database `session` (on `main`) is in: the server's system identifier, or its
/// address when this role may not read it, and the database's name.
pub async fn identity(session: &Session, main: &Endpoint) -> Result<MainIdentity, DataError> {
    let database: String = session
        .query_one("SELECT current_database()::text", &[])
        .await
        .ctx(Side::Main, || "reading the database name".to_string())?
        .get(0);
    let system = match session
        .query_one(
            "SELECT system_identifier::text FROM pg_control_system()",
            &[],
        )
        .await
    {
        Ok(r) => r.get(0),
        Err(e) => {
            tracing::debug!(
                "main: pg_control_system() not readable ({e}); identifying main by address"
            );
            format!("addr:{}", address(main))
        }
    };
    Ok(MainIdentity { system, database })
}

/// `host:port` of an endpoint (no database, no user, no secret).
fn address(endpoint: &Endpoint) -> String {
    let r = endpoint.resolved();
    format!("{}:{}", r.host, r.port)
}

/// Create the state table on the standin if it is missing (autocommit, before the groups).
pub async fn ensure_state_table(standin: &Session) -> Result<(), DataError> {
    standin
        .batch_execute(STATE_DDL)
        .await
        .ctx(Side::Standin, || "creating pgsyncer.sync_state".to_string())
}

/// Watermarks recorded by earlier runs against `identity`, by `(schema, table)`.
pub async fn load(
    standin: &Session,
    identity: &MainIdentity,
) -> Result<HashMap<(String, String), String>, DataError> {
    let exists: bool = standin
        .query_one("SELECT to_regclass('pgsyncer.sync_state') IS NOT NULL", &[])
        .await
        .ctx(Side::Standin, || {
            "looking for pgsyncer.sync_state".to_string()
        })?
        .get(0);
    if !exists {
        return Ok(HashMap::new());
    }
    let sql = "SELECT schema_name, table_name, watermark::text FROM pgsyncer.sync_state \
               WHERE main_system = $1 AND main_database = $2";
    let rows = standin
        .query(sql, &[&identity.system, &identity.database])
        .await
        .ctx(Side::Standin, || "reading pgsyncer.sync_state".to_string())?;
    Ok(rows
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect())
}

/// The statement recording `watermark` for one table (run in that table's transaction).
pub fn record_sql(
    identity: &MainIdentity,
    schema: &str,
    table: &str,
    column: &str,
    watermark: &str,
) -> String {
    format!(
        "INSERT INTO pgsyncer.sync_state AS s (main_system, main_database, schema_name, table_name, column_name, watermark, synced_at) \
         VALUES ({}, {}, {}, {}, {}, {}::timestamptz, now()) \
         ON CONFLICT (main_system, main_database, schema_name, table_name) \
         DO UPDATE SET column_name = EXCLUDED.column_name, watermark = EXCLUDED.watermark, synced_at = EXCLUDED.synced_at",
        literal(&identity.system),
        literal(&identity.database),
        literal(schema),
        literal(table),
        literal(column),
        literal(watermark)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse() {
        for text in [SAFE_POINT_SQL, STATE_DDL] {
            pg_query::parse(text, 0).expect("parses");
        }
        let id = MainIdentity {
            system: "7300000000000000001".into(),
            database: "shop".into(),
        };
        let sql = record_sql(
            &id,
            "public",
            "it's",
            "updated_at",
            "2024-01-01 00:00:00+00",
        );
        pg_query::parse(&sql, 0).expect("parses");
        insta::assert_snapshot!(sql);
    }
}
