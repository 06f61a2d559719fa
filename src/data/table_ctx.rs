//! What one table's sync works with, shared by the comparisons ([`super::compare`]) and
//! the strategies ([`super::strategy`]): both sessions, the run's settings, main's write
//! hints, and main's row estimate.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::conn::{Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::progress::TableBar;
use crate::data::sql::TableSql;
use crate::data::tables::TablePair;

/// What a table's sync needs: both sessions (main inside the shared snapshot, standin inside
/// the group's transaction) and the run's settings.
pub struct TableCtx<'a> {
    pub main: &'a Session,
    pub standin: &'a Session,
    pub chunk_size: u64,
    pub dry_run: bool,
    pub bar: &'a TableBar,
    /// Counter for unique temporary table names within the transaction.
    pub temp_counter: &'a AtomicU32,
    /// `--show-keys`: how many keys of each kind of change to keep for the summary.
    pub show_keys: usize,
    /// A second standin session, outside the group's transaction, for reads that may run
    /// beside the transaction's own: set only while nothing in the transaction has written
    /// (the group's first table), so it sees exactly the rows the transaction sees.
    pub standin_reader: Option<&'a Session>,
    /// Rows main's statistics show written to this table since its last sync, when known
    /// ([`crate::data::run::activity`]); a hint for which comparison to try first.
    pub main_writes: Option<u64>,
    /// Of those, rows deleted, when known: none means a key set probably unchanged.
    pub main_deletes: Option<u64>,
}

impl TableCtx<'_> {
    /// No write since the last sync: compare whole-table sums before any bucket.
    pub fn unwritten(&self) -> bool {
        self.main_writes == Some(0)
    }

    pub fn temp_name(&self, what: &str) -> String {
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("pgsyncer_{what}_{n}")
    }
}

/// Main's row estimate for `table`, counted when the table was never analyzed (bucket sizes
/// depend on it).
pub async fn estimated_rows(ctx: &TableCtx<'_>, table: &TablePair) -> Result<f64, DataError> {
    if table.estimated_rows > 0.0 {
        return Ok(table.estimated_rows);
    }
    let count = TableSql::new(table, Side::Main).count_rows();
    let row = ctx
        .main
        .query_one(&count, &[])
        .await
        .ctx(Side::Main, || count.clone())?;
    Ok(row.get::<_, i64>(0) as f64)
}
