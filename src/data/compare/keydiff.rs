//! Compare a keyed table's two sides by hash buckets of the key, and hand the keys that
//! differ to a [`KeyWriter`].
//!
//! 1. Both servers at once stream every row's key fingerprint and row fingerprint
//!    ([`Values::Rows`]; only the key's for [`Values::Keys`], finding deletes); pgsyncer sums
//!    them per bucket of the key fingerprint ([`crate::data::compare::buckets`]). One scan per side, no sort,
//!    no key-range boundaries.
//! 2. For the buckets that differ, both servers list `(key fingerprint, key as text, value)`
//!    for just those rows, ordered by the key fingerprint, through cursors. The two lists
//!    are merged in order; rows with the same fingerprint are matched by key text. Keys only
//!    main has, or whose row differs, are fetched; keys only the standin has are deleted.
//!
//! When the key is made of integer and uuid columns and few rows likely differ (a key set, or main's
//! write count since the last sync is small), step 1's stream also carries the key columns
//! and the differing keys are read off sums of them ([`crate::data::compare::reconcile`]); step 2 then runs
//! only if there were too many to read off.
//!
//! Memory: the bucket sums (capped, see [`crate::data::compare::buckets`]), two cursor batches and the
//! writer's batch of keys, whatever the table size.

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::conn::{Session, Side};
use crate::data::alias;
use crate::data::compare::buckets::{self, Buckets};
use crate::data::compare::cursor::Cursor;
use crate::data::compare::fingerprint::{key_hash, row_hash};
use crate::data::compare::reconcile;
use crate::data::error::{DataError, QueryContext};
use crate::data::run::summary::{Change, KeySamples};
use crate::data::sql::TableSql;
use crate::data::table_ctx::{estimated_rows, TableCtx};
use crate::data::tables::TablePair;
use crate::data::write::copy::pipe;
use crate::quote::ident;

/// What a bucket's sum is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Whole rows: finds inserts, updates and deletes.
    Rows,
    /// Keys only: finds keys present on one side (cheaper; updates are found otherwise).
    Keys,
}

/// What a comparison found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Found {
    pub main_rows: u64,
    /// Keys main has and the standin lacks.
    pub missing: u64,
    /// Keys on both sides whose rows differ.
    pub changed: u64,
    /// Keys the standin has and main lacks.
    pub surplus: u64,
    pub buckets: u64,
    pub buckets_equal: u64,
    /// The first keys of each kind (`--show-keys`).
    pub keys: KeySamples,
    /// Settled by whole-table sums.
    pub by_totals: bool,
}

/// The listing's value column: the row fingerprint, or a constant when only keys matter
/// (rows with equal keys then always match).
fn value_hash(table: &TablePair, side: Side, values: Values) -> String {
    match values {
        Values::Rows => row_hash(table, side),
        Values::Keys => "0::int8".to_string(),
    }
}

/// Phase 2's listing: `(key fingerprint, key columns as text…, value)` of the rows in
/// `differing` buckets, in fingerprint order.
pub(crate) fn listing_sql(
    table: &TablePair,
    side: Side,
    values: Values,
    buckets: Buckets,
    differing: &[usize],
) -> String {
    let sql = TableSql::new(table, side);
    let names = sql.aliases();
    let (kh, s) = (names.get(alias::KEY_HASH), names.get(alias::ROWS));
    let keys: Vec<String> = table
        .key_columns()
        .iter()
        .map(|c| format!("{}::text", ident(&c.name)))
        .collect();
    format!(
        "SELECT {kh}, {}, {} FROM (SELECT {} AS {kh}, * FROM {}) AS {s} WHERE {} ORDER BY 1",
        keys.join(", "),
        value_hash(table, side, values),
        key_hash(table, side),
        sql.relation(),
        buckets.filter(&kh, differing)
    )
}

/// One listed row: key fingerprint, key text, value.
type Listed = (i64, Vec<String>, i64);

fn listed(row: &Row, width: usize) -> Listed {
    (
        row.get(0),
        (1..=width).map(|i| row.get::<_, String>(i)).collect(),
        row.get(width + 1),
    )
}

/// All rows of `cursor` with key fingerprint `hash` (they come together).
async fn take_group(
    cursor: &mut Cursor<'_>,
    hash: i64,
    width: usize,
) -> Result<Vec<Listed>, DataError> {
    let mut group = Vec::new();
    while let Some(row) = cursor.peek().await? {
        if row.get::<_, i64>(0) != hash {
            break;
        }
        if let Some(row) = cursor.next().await? {
            group.push(listed(&row, width));
        }
    }
    Ok(group)
}

/// Compare `table`'s sides; every differing key goes to `writer`.
pub async fn compare(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    values: Values,
    writer: &mut KeyWriter<'_>,
) -> Result<Found, DataError> {
    let rows = estimated_rows(ctx, table).await?;
    let buckets = Buckets::for_rows(rows);
    let stream = |side: Side| {
        Buckets::stream_sql(
            &TableSql::new(table, side).relation(),
            &key_hash(table, side),
            (values == Values::Rows)
                .then(|| row_hash(table, side))
                .as_deref(),
        )
    };
    let total = |side: Side| {
        let value = match values {
            Values::Rows => row_hash(table, side),
            Values::Keys => key_hash(table, side),
        };
        Buckets::total_sql(&TableSql::new(table, side).relation(), &value)
    };
    // Probably equal: main wrote nothing, or comparing keys, deleted nothing (the rows it
    // inserted since are on the standin by now).
    let likely_equal = ctx.unwritten() || (values == Values::Keys && ctx.main_deletes == Some(0));
    let settled = match likely_equal.then(|| (total(Side::Main), total(Side::Standin))) {
        Some((m, s)) => {
            buckets::settled_by_totals((ctx.main, &m), (ctx.standin, &s), buckets, ctx.bar).await?
        }
        None => None,
    };
    let compared = if let Some(settled) = settled {
        settled
    } else if reconcile::applies(table, values, rows, ctx.main_writes) {
        let (compared, elements) =
            reconcile::stream_and_peel(ctx, table, values, buckets, rows).await?;
        if let Some(elements) = elements {
            return reconcile::report(ctx, table, values, &compared, elements, writer).await;
        }
        compared
    } else {
        let (msql, ssql) = (stream(Side::Main), stream(Side::Standin));
        buckets::compare(
            (ctx.main, &msql),
            (ctx.standin, &ssql),
            buckets,
            values == Values::Rows,
            None,
            ctx.bar,
        )
        .await?
    };
    let mut found = Found {
        main_rows: compared.main_rows,
        buckets: compared.buckets,
        buckets_equal: compared.equal(),
        by_totals: compared.by_totals,
        keys: KeySamples::new(
            ctx.show_keys,
            table.key_columns().iter().map(|c| c.name.clone()).collect(),
        ),
        ..Found::default()
    };
    let differing = compared.differing;
    if differing.is_empty() {
        return Ok(found);
    }
    ctx.bar.message("comparing rows");

    let width = table.key_columns().len();
    let name = ctx.temp_name("list");
    let mlist = listing_sql(table, Side::Main, values, buckets, &differing);
    let slist = listing_sql(table, Side::Standin, values, buckets, &differing);
    let (mut m, mut s) = tokio::try_join!(
        Cursor::open(ctx.main, &name, &mlist),
        Cursor::open(ctx.standin, &name, &slist)
    )?;
    let mut last_bucket = None;
    loop {
        let (mh, sh) = tokio::try_join!(peek_hash(&mut m), peek_hash(&mut s))?;
        let hash = match (mh, sh) {
            (None, None) => break,
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (Some(a), Some(b)) => a.min(b),
        };
        let (main_rows, standin_rows) = tokio::try_join!(
            take_group(&mut m, hash, width),
            take_group(&mut s, hash, width)
        )?;
        let mut main_rows: Vec<Option<Listed>> = main_rows.into_iter().map(Some).collect();
        for (_, key, value) in standin_rows {
            let twin = main_rows
                .iter_mut()
                .find(|r| r.as_ref().is_some_and(|(_, k, _)| *k == key));
            match twin.and_then(Option::take) {
                Some((_, _, v)) if v == value => {}
                Some(_) => {
                    found.changed += 1;
                    found.keys.note(Change::Updated, &key);
                    writer.fetch(key).await?;
                }
                None => {
                    found.surplus += 1;
                    found.keys.note(Change::Deleted, &key);
                    writer.delete(key).await?;
                }
            }
        }
        for (_, key, _) in main_rows.into_iter().flatten() {
            found.missing += 1;
            found.keys.note(Change::Inserted, &key);
            writer.fetch(key).await?;
        }
        let bucket = buckets.index(hash);
        if last_bucket != Some(bucket) {
            last_bucket = Some(bucket);
            ctx.bar.chunks_done(1);
        }
    }
    tokio::try_join!(m.close(), s.close())?;
    Ok(found)
}

async fn peek_hash(cursor: &mut Cursor<'_>) -> Result<Option<i64>, DataError> {
    Ok(cursor.peek().await?.map(|r| r.get::<_, i64>(0)))
}

/// Batches of keys found by a comparison: rows to fetch from main into a stage table, keys to
/// delete into a key table (both temporary, on the standin). Each batch is written when it
/// reaches `--chunk-size` keys, so memory stays bounded. In a dry run nothing is written.
pub struct KeyWriter<'a> {
    main: &'a Session,
    standin: &'a Session,
    msql: TableSql<'a>,
    ssql: TableSql<'a>,
    batch: usize,
    dry_run: bool,
    fetch: Vec<Vec<String>>,
    delete: Vec<Vec<String>>,
    /// Temporary table names, created on first use.
    pub stage: Option<String>,
    pub deleted: Option<String>,
    stage_name: String,
    delete_name: String,
}

impl<'a> KeyWriter<'a> {
    pub fn new(ctx: &'a TableCtx<'_>, table: &'a TablePair) -> KeyWriter<'a> {
        KeyWriter {
            main: ctx.main,
            standin: ctx.standin,
            msql: TableSql::new(table, Side::Main),
            ssql: TableSql::new(table, Side::Standin),
            batch: ctx.chunk_size.max(1) as usize,
            dry_run: ctx.dry_run,
            fetch: Vec::new(),
            delete: Vec::new(),
            stage: None,
            deleted: None,
            stage_name: ctx.temp_name("stage"),
            delete_name: ctx.temp_name("delete"),
        }
    }

    pub(crate) async fn fetch(&mut self, key: Vec<String>) -> Result<(), DataError> {
        if !self.dry_run {
            self.fetch.push(key);
            if self.fetch.len() >= self.batch {
                self.flush_fetch().await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn delete(&mut self, key: Vec<String>) -> Result<(), DataError> {
        if !self.dry_run {
            self.delete.push(key);
            if self.delete.len() >= self.batch {
                self.flush_delete().await?;
            }
        }
        Ok(())
    }

    /// Write what is left; the stage and delete tables are then complete.
    pub async fn finish(&mut self) -> Result<(), DataError> {
        self.flush_fetch().await?;
        self.flush_delete().await
    }

    async fn create(&self, sql: String) -> Result<(), DataError> {
        self.standin
            .batch_execute(&sql)
            .await
            .ctx(Side::Standin, || sql.clone())
    }

    async fn flush_fetch(&mut self) -> Result<(), DataError> {
        if self.fetch.is_empty() {
            return Ok(());
        }
        if self.stage.is_none() {
            self.create(self.ssql.create_stage(&self.stage_name))
                .await?;
            self.stage = Some(self.stage_name.clone());
        }
        let out_sql = self.msql.copy_out_keys(&self.fetch);
        let in_sql = self.ssql.copy_in(&ident(&self.stage_name));
        pipe(self.main, &out_sql, self.standin, &in_sql).await?;
        self.fetch.clear();
        Ok(())
    }

    async fn flush_delete(&mut self) -> Result<(), DataError> {
        let Some(width) = self.delete.first().map(Vec::len) else {
            return Ok(());
        };
        if self.deleted.is_none() {
            self.create(self.ssql.create_key_table(&self.delete_name))
                .await?;
            self.deleted = Some(self.delete_name.clone());
        }
        let columns: Vec<Vec<String>> = (0..width)
            .map(|i| self.delete.iter().map(|k| k[i].clone()).collect())
            .collect();
        let params: Vec<&(dyn ToSql + Sync)> =
            columns.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
        let insert = self.ssql.insert_keys(&self.delete_name);
        self.standin
            .execute(&insert, &params)
            .await
            .ctx(Side::Standin, || insert.clone())?;
        self.delete.clear();
        Ok(())
    }
}
