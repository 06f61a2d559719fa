//! A hint from main's statistics: has a table been written since its last sync?
//!
//! Before the snapshot, main's count of rows written to each table (inserted + updated +
//! deleted, `sql/data/main_activity.sql`) is read; every table's sync records that count on
//! the standin (`pgsyncer.main_activity`) in the same transaction as its rows. When the count
//! is the same at the next run, the table was probably not written, and its comparison first
//! checks one sum over the whole table on both servers: one aggregate each, nothing streamed.
//! Equal sums end it; otherwise the bucket comparison runs as always.
//!
//! The count of deleted rows alone is kept too: a table main deleted nothing from since its
//! last sync has its `--use-updated-at` key pass checked the same way first, by one sum of
//! its keys per side.
//!
//! The hint decides only which check runs first, never whether one runs: statistics lag,
//! can be reset or lost, and do not see writes to the standin. Read before the snapshot,
//! they can only make a table look written when it was not (a slower run), and a table
//! wrongly taken as unwritten still has its sums compared.

use std::collections::HashMap;

use crate::conn::{Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::watermark::MainIdentity;
use crate::quote::literal;

const ACTIVITY_SQL: &str = include_str!("../../../sql/data/main_activity.sql");
/// Both state tables (`sql/data/sync_state.sql`).
const STATE_DDL: &str = include_str!("../../../sql/data/sync_state.sql");
/// For a state table made before deletes were counted; on its own, as a role that does not
/// own the table may not run it.
const ADD_DELETES: &str =
    "ALTER TABLE pgsyncer.main_activity ADD COLUMN IF NOT EXISTS main_deletes bigint";

type TableName = (String, String);

/// A table's counts: rows written (inserted, updated, deleted) and rows deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    writes: i64,
    /// Not recorded by a state table without the column.
    deletes: Option<i64>,
}

/// Main's write counts now and at each table's last sync.
pub struct Activity {
    identity: MainIdentity,
    current: HashMap<TableName, Counts>,
    recorded: HashMap<TableName, Counts>,
    /// The state table exists and this run may write it.
    recording: bool,
    /// The state table has the `main_deletes` column.
    deletes_kept: bool,
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
                    crate::report::report(&e)
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
        let rows = main
            .query(ACTIVITY_SQL, &[])
            .await
            .ctx(Side::Main, || "reading write counts".to_string())?;
        let current: HashMap<TableName, Counts> = rows
            .iter()
            .filter_map(|r| {
                let counts = Counts {
                    writes: r.get::<_, Option<i64>>(2)?,
                    deletes: r.get(3),
                };
                Some(((r.get(0), r.get(1)), counts))
            })
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
            if let Err(e) = standin.batch_execute(ADD_DELETES).await {
                tracing::info!(
                    "standin: cannot add main_deletes to pgsyncer.main_activity ({})",
                    crate::apply::server_message(&e)
                );
            }
        }
        let state = state(standin, &identity).await?;
        Ok(Some(Activity {
            identity,
            current,
            recorded: state.recorded,
            recording: record && state.writable,
            deletes_kept: state.deletes_kept,
        }))
    }

    /// Rows main's statistics show written to the table since its last sync (`None`: not
    /// known, e.g. never synced, or the counts were reset).
    pub fn writes_since(&self, schema: &str, table: &str) -> Option<u64> {
        let (now, then) = self.counts(schema, table)?;
        u64::try_from(now.writes - then.writes).ok()
    }

    /// Rows main's statistics show deleted from the table since its last sync, when known.
    pub fn deletes_since(&self, schema: &str, table: &str) -> Option<u64> {
        let (now, then) = self.counts(schema, table)?;
        u64::try_from(now.deletes? - then.deletes?).ok()
    }

    /// The table's counts now and at its last sync.
    fn counts(&self, schema: &str, table: &str) -> Option<(Counts, Counts)> {
        let name = (schema.to_string(), table.to_string());
        Some((*self.current.get(&name)?, *self.recorded.get(&name)?))
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
        let counts = self.current.get(&(schema.to_string(), table.to_string()))?;
        let changes = counts.writes;
        // Only into a table that has the column (see ADD_DELETES).
        let (column, deletes, set) = match counts.deletes.filter(|_| self.deletes_kept) {
            Some(d) => (
                ", main_deletes",
                format!(", {d}"),
                ", main_deletes = EXCLUDED.main_deletes",
            ),
            None => ("", String::new(), ""),
        };
        Some(format!(
            "INSERT INTO pgsyncer.main_activity AS a (main_system, main_database, schema_name, table_name, main_changes{column}, synced_at) \
             VALUES ({}, {}, {}, {}, {changes}{deletes}, now()) \
             ON CONFLICT (main_system, main_database, schema_name, table_name) \
             DO UPDATE SET main_changes = EXCLUDED.main_changes{set}, synced_at = EXCLUDED.synced_at",
            literal(&self.identity.system),
            literal(&self.identity.database),
            literal(schema),
            literal(table)
        ))
    }
}

/// What the standin's state table holds for one main database.
#[derive(Default)]
struct State {
    recorded: HashMap<TableName, Counts>,
    /// This role may write the table.
    writable: bool,
    /// The table has the `main_deletes` column.
    deletes_kept: bool,
}

/// What the standin recorded for `identity`, and whether this role may write it. A state
/// table another role made and did not share reads as empty and not writable.
async fn state(standin: &Session, identity: &MainIdentity) -> Result<State, DataError> {
    let access = "SELECT has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'), \
                         has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'INSERT, UPDATE'), \
                         EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid \
                                 AND a.attname = 'main_deletes' AND NOT a.attisdropped) \
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                  WHERE n.nspname = 'pgsyncer' AND c.relname = 'main_activity'";
    let Some(row) = standin
        .query_opt(access, &[])
        .await
        .ctx(Side::Standin, || {
            "looking for pgsyncer.main_activity".to_string()
        })?
    else {
        return Ok(State::default());
    };
    let (readable, writable, deletes_kept): (bool, bool, bool) =
        (row.get(0), row.get(1), row.get(2));
    if !readable {
        return Ok(State::default());
    }
    let deletes = if deletes_kept {
        "main_deletes"
    } else {
        "NULL::int8"
    };
    let sql = format!(
        "SELECT schema_name, table_name, main_changes, {deletes} FROM pgsyncer.main_activity \
         WHERE main_system = $1 AND main_database = $2"
    );
    let rows = standin
        .query(&sql, &[&identity.system, &identity.database])
        .await
        .ctx(Side::Standin, || {
            "reading pgsyncer.main_activity".to_string()
        })?;
    let recorded = rows
        .iter()
        .map(|r| {
            let counts = Counts {
                writes: r.get(2),
                deletes: r.get(3),
            };
            ((r.get(0), r.get(1)), counts)
        })
        .collect();
    Ok(State {
        recorded,
        writable,
        deletes_kept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse() {
        for text in [ACTIVITY_SQL, STATE_DDL, ADD_DELETES] {
            pg_query::parse(text, 0).expect("parses");
        }
        let counts = |writes, deletes| Counts { writes, deletes };
        let name = ("public".to_string(), "it's".to_string());
        let a = Activity {
            identity: MainIdentity {
                system: "7300000000000000001".into(),
                database: "shop".into(),
            },
            current: HashMap::from([(name.clone(), counts(42, Some(5)))]),
            recorded: HashMap::from([(name.clone(), counts(42, Some(5)))]),
            recording: true,
            deletes_kept: true,
        };
        assert!(a.unwritten("public", "it's"));
        assert!(!a.unwritten("public", "other"));
        assert_eq!(a.deletes_since("public", "it's"), Some(0));
        let sql = a.record_sql("public", "it's").expect("recorded");
        pg_query::parse(&sql, 0).expect("parses");
        assert!(
            sql.contains("'it''s'") && sql.contains(", 42, 5, now()"),
            "{sql}"
        );
        // A state table without the column, or counts it did not keep: writes only.
        let old = Activity {
            deletes_kept: false,
            recorded: HashMap::from([(name, counts(40, None))]),
            ..a
        };
        assert_eq!(old.writes_since("public", "it's"), Some(2));
        assert_eq!(old.deletes_since("public", "it's"), None);
        let sql = old.record_sql("public", "it's").expect("recorded");
        pg_query::parse(&sql, 0).expect("parses");
        assert!(
            !sql.contains("main_deletes") && sql.contains(", 42, now()"),
            "{sql}"
        );
    }
}
