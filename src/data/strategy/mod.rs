//! The per-table strategies, each built from the comparison ([`super::compare`]) and the
//! writes ([`super::write`]). The engine picks a [`Strategy`] per table and calls [`run`];
//! the optional modes are picked first by [`mode`], sharing [`Outcome`] (and
//! [`crate::data::table_ctx::TableCtx`], which the comparisons read too).
//!
//! - [`run`] (here): picks `copy_all` for an empty standin table (one COPY, its indexes
//!   rebuilt after), else [`keyed`] or [`keyless`].
//! - [`keyed`]: a table with a key: `keydiff` over whole rows, then upsert the stage.
//! - [`keyless`]: a multiset comparison by hash buckets and a merge of `(hash, copies)`.
//! - [`incremental`]: `--use-updated-at`: rows changed since the watermark, merged; the key
//!   pass finds deletes and missing rows.
//! - [`fdw`]: `--fdw-mode`: the same steps run server-side through postgres_fdw.
//! - [`mode`]: per-table dispatch of the optional modes with fallback to the default ones.

pub mod fdw;
pub mod incremental;
pub mod keyed;
pub mod keyless;
pub mod mode;

use crate::conn::{Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::summary::KeySamples;
use crate::data::sql::TableSql;
use crate::data::table_ctx::TableCtx;
use crate::data::tables::TablePair;
use crate::data::write::copy::pipe;
use crate::data::write::indexes;

/// Deletes are applied after every table of a group is written, children first.
#[derive(Debug, Clone)]
pub enum PendingDelete {
    /// Keys (temporary table) to delete, matched by text ([`crate::data::sql::same_key_text`]).
    Keys { keys: String },
    /// Keyless: `(hash, copies)` to delete (temporary table).
    Hashes { surplus: String },
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub main_rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub chunks_total: u64,
    pub chunks_skipped: u64,
    pub pending: Option<PendingDelete>,
    /// Keys of changed rows (`--show-keys`), when the comparison saw them.
    pub keys: KeySamples,
    /// The whole-table sums were equal: no bucket was read.
    pub by_totals: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The standin table is empty: one straight COPY stream, no comparison.
    Copy,
    /// Bucket checksums by key and a merge of differing buckets ([`keyed`]).
    Keyed,
    /// Multiset comparison by row hash ([`keyless`]).
    Keyless,
}

impl Strategy {
    pub fn label(self) -> &'static str {
        match self {
            Strategy::Copy => "copy",
            Strategy::Keyed | Strategy::Keyless => "compare",
        }
    }
}

/// Pick the strategy for `table` (looks at the standin: is it empty?).
pub async fn choose(ctx: &TableCtx<'_>, table: &TablePair) -> Result<Strategy, DataError> {
    let sql = TableSql::new(table, Side::Standin).exists_any_row();
    let has_rows: bool = ctx
        .standin
        .query_one(&sql, &[])
        .await
        .ctx(Side::Standin, || sql.clone())?
        .get(0);
    Ok(if !has_rows {
        Strategy::Copy
    } else if table.key.is_some() {
        Strategy::Keyed
    } else {
        Strategy::Keyless
    })
}

pub async fn run(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    strategy: Strategy,
) -> Result<Outcome, DataError> {
    match strategy {
        Strategy::Copy => copy_all(ctx, table).await,
        Strategy::Keyed => keyed::sync(ctx, table).await,
        Strategy::Keyless => keyless::sync(ctx, table).await,
    }
}

async fn copy_all(ctx: &TableCtx<'_>, table: &TablePair) -> Result<Outcome, DataError> {
    let msql = TableSql::new(table, Side::Main);
    let rows = if ctx.dry_run {
        let count = msql.count_rows();
        let n: i64 = ctx
            .main
            .query_one(&count, &[])
            .await
            .ctx(Side::Main, || count.clone())?
            .get(0);
        n.max(0) as u64
    } else {
        ctx.bar.message("copying");
        let ssql = TableSql::new(table, Side::Standin);
        let rebuild = if table.estimated_rows >= indexes::MIN_ROWS {
            Some(indexes::drop_for_load(ctx.standin, &table.schema, &table.name).await?)
        } else {
            None
        };
        let rows = pipe(
            ctx.main,
            &msql.copy_out_all(),
            ctx.standin,
            &ssql.copy_in(&ssql.qualified()),
        )
        .await?;
        if let Some(rebuild) = rebuild {
            ctx.bar.message("building indexes");
            rebuild.run(ctx.standin).await?;
        }
        rows
    };
    Ok(Outcome {
        main_rows: rows,
        inserted: rows,
        ..Outcome::default()
    })
}

/// Apply a table's deletes (after the group's inserts and updates); returns rows deleted.
pub async fn apply_deletes(
    standin: &Session,
    table: &TablePair,
    pending: &PendingDelete,
) -> Result<u64, DataError> {
    let sql = TableSql::new(table, Side::Standin);
    let statement = match pending {
        PendingDelete::Keys { keys } => sql.delete_keys(keys),
        PendingDelete::Hashes { surplus } => sql.delete_hashes(surplus),
    };
    standin
        .execute(&statement, &[])
        .await
        .ctx(Side::Standin, || statement.clone())
}
