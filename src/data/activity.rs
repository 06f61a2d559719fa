//! A hint from main's statistics: has a table been written since its last sync?
//!
//! Before the snapshot, main's count of rows written to each table (inserted + updated +
//! deleted, `sql/data/main_activity.sql`) is read; every table's sync records that count on
//! the standin (`pgsyncer.main_activity`) in the same transaction as its rows. When the count
//! is the same at the next run, the table was probably not written, and its comparison first
//! checks one sum over the whole table on both servers: one aggregate each, nothing streamed.
//! Equal sums end it; otherwise the bucket comparison runs as always.
//!
//! The hint decides only which check runs first, never whether one runs: statistics lag,
//! can be reset or lost, and do not see writes to the standin. Read before the snapshot,
//! they can only make a table look written when it was not (a slower run), and a table
//! wrongly taken as unwritten still has its sums compared.

use std::collections::HashMap;

use super::error::{DataError, QueryContext};
use super::watermark::MainIdentity;
use crate::conn::{Session, Side};
use crate::quote::literal;

const ACTIVITY_SQL: &str = include_str!("../../sql/data/main_activity.sql");
/// Both state tables (`sql/data/sync_state.sql`).
const STATE_DDL: &str = include_str!("../../sql/data/sync_state.sql");

type TableName = (String, String);

/// Main's write counts now and at each table's last sync.
pub struct Activity {
    identity: MainIdentity,
    current: HashMap<TableName, i64>,
    recorded: HashMap<TableName, i64>,
    /// The state table exists and this run may write it.
    recording: bool,
}

impl Activity {
    /// Read main's counts on `main`, a session outside the snapshot transaction (before the
    /// snapshot exists), and what the standin recorded for `identity`; with `record`, create
    /// the state table if needed. `None` when main keeps no counts here or they cannot be
    /// read: the hint is an optimisation, and never fails a run.
    pub async fn read(
        main: &Session,
        identity: MainIdentity,
        standin: &Session,
        record: bool,
    ) -> Option<Activity> {
        match Activity::try_read(main, identity, standin, record).await {
            Ok(activity) => activity,
            Err(e) => {
                tracing::info!(
                    "no write counts from main ({}): every table is compared by buckets",
                    crate::error::report(&e)
                );
                None
            }
        }
    }

    async fn try_read(
        main: &Session,
        identity: MainIdentity,
        standin: &Session,
        record: bool,
    ) -> Result<Option<Activity>, DataError> {
        let rows = main.query(ACTIVITY_SQL, &[]).await.ctx(Side::Main, || {
            "reading write counts (sql/data/main_activity.sql)".to_string()
        })?;
        let current: HashMap<TableName, i64> = rows
            .iter()
            .filter_map(|r| Some(((r.get(0), r.get(1)), r.get::<_, Option<i64>>(2)?)))
            .collect();
        if current.is_empty() {
            return Ok(None);
        }
        if record {
            if let Err(e) = standin.batch_execute(STATE_DDL).await {
                tracing::info!(
                    "standin: cannot create pgsyncer.main_activity ({})",
                    crate::apply::server_message(&e)
                );
            }
        }
        let (recorded, writable) = state(standin, &identity).await?;
        Ok(Some(Activity {
            identity,
            current,
            recorded,
            recording: record && writable,
        }))
    }

    /// Rows main's statistics show written to the table since its last sync (`None`: not
    /// known, e.g. never synced, or the counts were reset).
    pub fn writes_since(&self, schema: &str, table: &str) -> Option<u64> {
        let name = (schema.to_string(), table.to_string());
        let (now, then) = (self.current.get(&name)?, self.recorded.get(&name)?);
        u64::try_from(now - then).ok()
    }

    /// Main's statistics show no write to the table since its last sync.
    pub fn unwritten(&self, schema: &str, table: &str) -> bool {
        self.writes_since(schema, table) == Some(0)
    }

    /// The statement recording the table's count, for its transaction (`None`: not kept).
    pub fn record_sql(&self, schema: &str, table: &str) -> Option<String> {
        if !self.recording {
            return None;
        }
        let changes = self.current.get(&(schema.to_string(), table.to_string()))?;
        Some(format!(
            "INSERT INTO pgsyncer.main_activity AS a (main_system, main_database, schema_name, table_name, main_changes, synced_at) \
             VALUES ({}, {}, {}, {}, {changes}, now()) \
             ON CONFLICT (main_system, main_database, schema_name, table_name) \
             DO UPDATE SET main_changes = EXCLUDED.main_changes, synced_at = EXCLUDED.synced_at",
            literal(&self.identity.system),
            literal(&self.identity.database),
            literal(schema),
            literal(table)
        ))
    }
}

/// What the standin recorded for `identity`, and whether this role may write it. A state
/// table another role made and did not share reads as empty and not writable.
async fn state(
    standin: &Session,
    identity: &MainIdentity,
) -> Result<(HashMap<TableName, i64>, bool), DataError> {
    let access = "SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'), \
                         has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'INSERT, UPDATE') \
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                  WHERE n.nspname = 'pgsyncer' AND c.relname = 'main_activity'";
    let Some(row) = standin
        .query_opt(access, &[])
        .await
        .ctx(Side::Standin, || {
            "looking for pgsyncer.main_activity".to_string()
        })?
    else {
        return Ok((HashMap::new(), false));
    };
    let (readable, writable): (bool, bool) = (row.get(0), row.get(1));
    if !readable {
        return Ok((HashMap::new(), false));
    }
    let sql = "SELECT schema_name, table_name, main_changes FROM pgsyncer.main_activity \
               WHERE main_system = $1 AND main_database = $2";
    let rows = standin
        .query(sql, &[&identity.system, &identity.database])
        .await
        .ctx(Side::Standin, || {
            "reading pgsyncer.main_activity".to_string()
        })?;
    let recorded = rows
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    Ok((recorded, writable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse() {
        for text in [ACTIVITY_SQL, STATE_DDL] {
            pg_query::parse(text, 0).expect("parses");
        }
        let a = Activity {
            identity: MainIdentity {
                system: "7300000000000000001".into(),
                database: "shop".into(),
            },
            current: HashMap::from([(("public".into(), "it's".into()), 42)]),
            recorded: HashMap::from([(("public".into(), "it's".into()), 42)]),
            recording: true,
        };
        assert!(a.unwritten("public", "it's"));
        assert!(!a.unwritten("public", "other"));
        let sql = a.record_sql("public", "it's").expect("recorded");
        pg_query::parse(&sql, 0).expect("parses");
        assert!(
            sql.contains("'it''s'") && sql.contains(", 42, now()"),
            "{sql}"
        );
    }
}
