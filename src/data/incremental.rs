//! `--use-updated-at`: read from main only the rows changed since the watermark, merge them
//! into the standin, then find rows main deleted by comparing key sets.
//!
//! Per table (keyed, standin not empty, a watermark known):
//! 1. `COPY (SELECT … WHERE updated_at >= watermark OR updated_at IS NULL)` from main (inside
//!    the shared snapshot) into a temporary stage; rows without a timestamp cannot be proven
//!    old, so they are always re-read (and written only when they differ).
//! 2. [`merge`](super::merge) the stage into the table (`ON CONFLICT … DO UPDATE … WHERE row IS
//!    DISTINCT FROM`).
//! 3. Unless `--no-deletes`: the key sets are compared by hash buckets of the key
//!    ([`keydiff`](super::keydiff) with [`Values::Keys`]): one scan per side hashing keys
//!    only; then the keys of differing buckets, read off sums of the keys for an integer or uuid key
//!    ([`reconcile`](super::reconcile)), listed by a second scan otherwise. Keys only the standin has are deleted (after
//!    the group's writes, children first); keys only main has (a row the watermark missed,
//!    e.g. written with an old `updated_at`) are fetched and merged too.
//!
//! Every other table falls back to the full comparison; see [`super::mode`].

use super::copy::pipe;
use super::error::{DataError, QueryContext};
use super::keydiff::{self, KeyWriter, Values};
use super::merge;
use super::sql::TableSql;
use super::strategy::{Outcome, PendingDelete, TableCtx};
use super::tables::{Column, TablePair};
use crate::conn::Side;
use crate::quote::{ident, literal};

/// The command line's incremental settings.
#[derive(Debug, Clone)]
pub struct IncrementalOptions {
    /// `--updated-at-column`.
    pub column: String,
    /// `--last-sync-time` as timestamptz text; `None`: the recorded watermark.
    pub last_sync_time: Option<String>,
    /// `--watermark-margin` in seconds.
    pub margin_seconds: f64,
    /// Compare key sets to find deletes (not `--no-deletes`).
    pub deletes: bool,
}

/// The table's updated-at column if it has one of a timestamp type: `(column, with time zone)`.
pub fn updated_column<'t>(table: &'t TablePair, name: &str) -> Option<(&'t Column, bool)> {
    let c = table.columns.iter().find(|c| c.name == name)?;
    let ty = c.main_type.as_str();
    if !ty.starts_with("timestamp") {
        return None;
    }
    Some((
        c,
        ty.ends_with("with time zone") && !ty.ends_with("without time zone"),
    ))
}

/// The condition selecting rows changed since `watermark` (timestamptz text). A `timestamp
/// without time zone` column holds local times of main's default zone `timezone`.
pub fn changed_filter(column: &Column, with_tz: bool, watermark: &str, timezone: &str) -> String {
    let wm = format!("{}::timestamptz", literal(watermark));
    let bound = if with_tz {
        wm
    } else {
        format!("({wm} AT TIME ZONE {})", literal(timezone))
    };
    let c = ident(&column.name);
    format!("({c} >= {bound} OR {c} IS NULL)")
}

fn copy_format(table: &TablePair) -> &'static str {
    if table.binary {
        " (FORMAT binary)"
    } else {
        ""
    }
}

/// Main: the changed rows, as COPY output.
pub fn copy_out_changed(table: &TablePair, filter: &str) -> String {
    let sql = TableSql::new(table, Side::Main);
    format!(
        "COPY (SELECT {} FROM {} WHERE {filter}) TO STDOUT{}",
        sql.column_list(),
        sql.relation(),
        copy_format(table)
    )
}

/// Sync one keyed table incrementally; `filter` from [`changed_filter`].
pub async fn sync(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    filter: &str,
    deletes: bool,
) -> Result<Outcome, DataError> {
    let ssql = TableSql::new(table, Side::Standin);
    let mut out = Outcome::default();
    ctx.bar.message("reading changed rows");
    let stage = ctx.temp_name("incr");
    let create = ssql.create_stage(&stage);
    ctx.standin
        .batch_execute(&create)
        .await
        .ctx(Side::Standin, || create.clone())?;
    let read = pipe(
        ctx.main,
        &copy_out_changed(table, filter),
        ctx.standin,
        &ssql.copy_in(&ident(&stage)),
    )
    .await?;
    if read > 0 {
        let (inserted, updated) =
            merge::apply(ctx.standin, &merge::merge(table, &ident(&stage), None)).await?;
        out.inserted += inserted;
        out.updated += updated;
    }
    out.main_rows = read;
    if deletes {
        compare_keys(ctx, table, &mut out).await?;
    }
    Ok(out)
}

/// Keys only the standin has are deleted (pending, children first); keys only main has (a row
/// the watermark missed) are fetched and merged.
async fn compare_keys(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    out: &mut Outcome,
) -> Result<(), DataError> {
    ctx.bar.message("comparing keys");
    let mut writer = KeyWriter::new(ctx, table);
    let found = keydiff::compare(ctx, table, Values::Keys, &mut writer).await?;
    writer.finish().await?;
    out.main_rows = found.main_rows;
    out.chunks_total = found.buckets;
    out.chunks_skipped = found.buckets_equal;
    if let Some(stage) = &writer.stage {
        let (inserted, updated) =
            merge::apply(ctx.standin, &merge::merge(table, &ident(stage), None)).await?;
        out.inserted += inserted;
        out.updated += updated;
    }
    out.deleted += found.surplus;
    out.keys = found.keys;
    out.by_totals = found.by_totals;
    if let Some(keys) = writer.deleted.clone() {
        // Matched by text: a key main has under another spelling (1.0 / 1.00), just merged
        // over the standin's, stays.
        out.pending = Some(PendingDelete::Keys { keys });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::merge::tests::table;

    #[test]
    fn incremental_statements() {
        let t = table(true);
        let (c, tz) = updated_column(&t, "updated_at").expect("has the column");
        assert!(tz);
        let with_tz = changed_filter(c, tz, "2024-05-01 10:00:00.5+00", "UTC");
        let without = changed_filter(c, false, "2024-05-01 10:00:00.5+00", "Europe/Berlin");
        assert!(updated_column(&t, "note").is_none());
        let statements = [
            copy_out_changed(&t, &with_tz),
            copy_out_changed(&t, &without),
        ];
        for s in &statements {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        insta::assert_snapshot!(statements.join("\n"));
    }
}
