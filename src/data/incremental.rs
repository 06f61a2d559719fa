//! `--use-updated-at`: read from main only the rows changed since the watermark, merge them
//! into the standin, then find rows main deleted by comparing key sets.
//!
//! Per table (keyed, standin not empty, a watermark known):
//! 1. `COPY (SELECT … WHERE updated_at >= watermark OR updated_at IS NULL)` from main (inside
//!    the shared snapshot) into a temporary stage; rows without a timestamp cannot be proven
//!    old, so they are always re-read (and written only when they differ).
//! 2. [`merge`](super::merge) the stage into the table (`ON CONFLICT … DO UPDATE … WHERE row IS
//!    DISTINCT FROM`).
//! 3. Unless `--no-deletes`: keys only, in key ranges of `--chunk-size` rows (bounds from
//!    main), both servers sum a hash of every key; equal ranges are skipped, differing ones
//!    have their keys compared. Keys only the standin has are deleted (after the group's
//!    writes, children first); keys only main has (a row the watermark missed, e.g. written
//!    with an old `updated_at`) are fetched and merged too.
//!
//! Every other table falls back to the full comparison; see [`super::mode`].

use std::collections::HashSet;

use tokio_postgres::types::ToSql;

use super::copy::pipe;
use super::error::{DataError, QueryContext};
use super::merge;
use super::ranged::{params, RangeStatements};
use super::sql::{Bound, TableSql};
use super::strategy::{Outcome, PendingDelete, TableCtx};
use super::tables::{Column, TablePair};
use crate::conn::{Session, Side};
use crate::quote::{ident, literal};

/// After this many compared key ranges, decide whether checksums pay off (as in `keyed`).
const PROBE_CHUNKS: u64 = 4;

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

/// Count and hash sum of the keys of one range (either side).
pub fn key_aggregate(sql: &TableSql<'_>, lo: Option<Bound<'_>>, hi: Option<Bound<'_>>) -> String {
    format!(
        "SELECT count(*)::int8, COALESCE(sum(hashtextextended(ROW({})::text, 0)), 0)::text FROM {} WHERE {}",
        key_names(sql.table),
        sql.relation(),
        sql.range(lo, hi)
    )
}

/// The keys of one range as text (either side).
pub fn key_list(sql: &TableSql<'_>, lo: Option<Bound<'_>>, hi: Option<Bound<'_>>) -> String {
    format!(
        "SELECT {} FROM {} WHERE {}",
        sql.table
            .key_columns()
            .iter()
            .map(|c| format!("{}::text", ident(&c.name)))
            .collect::<Vec<_>>()
            .join(", "),
        sql.relation(),
        sql.range(lo, hi)
    )
}

fn key_names(table: &TablePair) -> String {
    table
        .key_columns()
        .iter()
        .map(|c| ident(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
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

struct Prepared {
    aggregate: RangeStatements,
    keys: RangeStatements,
}

async fn prepare(
    session: &Session,
    table: &TablePair,
    width: usize,
) -> Result<Prepared, DataError> {
    let sql = TableSql::new(table, session.side);
    Ok(Prepared {
        aggregate: RangeStatements::prepare(session, width, |lo, hi| key_aggregate(&sql, lo, hi))
            .await?,
        keys: RangeStatements::prepare(session, width, |lo, hi| key_list(&sql, lo, hi)).await?,
    })
}

async fn aggregate(
    session: &Session,
    p: &Prepared,
    lo: Option<&Vec<String>>,
    hi: Option<&Vec<String>>,
) -> Result<(i64, String), DataError> {
    let row = session
        .query_one(p.aggregate.get(lo, hi), &params(lo, hi))
        .await
        .ctx(session.side, || {
            "computing a key-range checksum".to_string()
        })?;
    Ok((row.get(0), row.get(1)))
}

async fn keys(
    session: &Session,
    p: &Prepared,
    width: usize,
    lo: Option<&Vec<String>>,
    hi: Option<&Vec<String>>,
) -> Result<Vec<Vec<String>>, DataError> {
    let rows = session
        .query(p.keys.get(lo, hi), &params(lo, hi))
        .await
        .ctx(session.side, || "reading the keys of a range".to_string())?;
    Ok(rows
        .iter()
        .map(|r| (0..width).map(|i| r.get::<_, String>(i)).collect())
        .collect())
}

/// Keys only the standin has are deleted (pending, children first); keys only main has are
/// fetched and merged.
async fn compare_keys(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    out: &mut Outcome,
) -> Result<(), DataError> {
    ctx.bar.message("comparing keys");
    let width = table.key_columns().len();
    let msql = TableSql::new(table, Side::Main);
    let ssql = TableSql::new(table, Side::Standin);
    let boundaries_sql = msql.boundaries(ctx.chunk_size);
    let boundaries: Vec<Vec<String>> = ctx
        .main
        .query(&boundaries_sql, &[])
        .await
        .ctx(Side::Main, || boundaries_sql.clone())?
        .iter()
        .map(|r| (0..width).map(|i| r.get::<_, String>(i)).collect())
        .collect();
    let (pm, ps) = tokio::try_join!(
        prepare(ctx.main, table, width),
        prepare(ctx.standin, table, width)
    )?;
    let chunks = boundaries.len() as u64 + 1;
    ctx.bar.set_chunks(chunks);
    out.chunks_total = chunks;
    let mut main_rows = 0u64;
    let mut gone: Vec<Vec<String>> = Vec::new();
    // Rows of keys main has and the standin lacks, fetched range by range.
    let mut missing: Option<String> = None;
    let (mut compared, mut differing, mut direct) = (0u64, 0u64, false);
    for i in 0..chunks as usize {
        let lo = i.checked_sub(1).map(|j| &boundaries[j]);
        let hi = boundaries.get(i);
        if !direct {
            let (m, s) = tokio::try_join!(
                aggregate(ctx.main, &pm, lo, hi),
                aggregate(ctx.standin, &ps, lo, hi)
            )?;
            compared += 1;
            if m == s {
                main_rows += m.0.max(0) as u64;
                out.chunks_skipped += 1;
                ctx.bar.chunk_done();
                continue;
            }
            differing += 1;
            direct = compared >= PROBE_CHUNKS && differing * 2 > compared;
        }
        let (mk, sk) = tokio::try_join!(
            keys(ctx.main, &pm, width, lo, hi),
            keys(ctx.standin, &ps, width, lo, hi)
        )?;
        main_rows += mk.len() as u64;
        let main_set: HashSet<Vec<String>> = mk.into_iter().collect();
        let standin_set: HashSet<Vec<String>> = sk.into_iter().collect();
        gone.extend(standin_set.difference(&main_set).cloned());
        let lost: Vec<Vec<String>> = main_set.difference(&standin_set).cloned().collect();
        if !lost.is_empty() {
            let stage = match &missing {
                Some(name) => name.clone(),
                None => {
                    let name = ctx.temp_name("missing");
                    let create = ssql.create_stage(&name);
                    ctx.standin
                        .batch_execute(&create)
                        .await
                        .ctx(Side::Standin, || create.clone())?;
                    missing = Some(name.clone());
                    name
                }
            };
            let copy_out = msql.copy_out_keys(&lost, lo.map(Vec::as_slice), hi.map(Vec::as_slice));
            pipe(
                ctx.main,
                &copy_out,
                ctx.standin,
                &ssql.copy_in(&ident(&stage)),
            )
            .await?;
        }
        ctx.bar.chunk_done();
    }
    out.main_rows = main_rows;
    if let Some(stage) = &missing {
        let (inserted, updated) =
            merge::apply(ctx.standin, &merge::merge(table, &ident(stage), None)).await?;
        out.inserted += inserted;
        out.updated += updated;
    }
    if !gone.is_empty() {
        out.deleted += gone.len() as u64;
        let name = ctx.temp_name("gone");
        let create = ssql.create_key_table(&name);
        ctx.standin
            .batch_execute(&create)
            .await
            .ctx(Side::Standin, || create.clone())?;
        for batch in gone.chunks(ctx.chunk_size.max(1) as usize) {
            let columns: Vec<Vec<String>> = (0..width)
                .map(|i| batch.iter().map(|k| k[i].clone()).collect())
                .collect();
            let params: Vec<&(dyn ToSql + Sync)> =
                columns.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
            let insert = ssql.insert_keys(&name);
            ctx.standin
                .execute(&insert, &params)
                .await
                .ctx(Side::Standin, || insert.clone())?;
        }
        // A key main has under another spelling (1.0 / 1.00) was just merged: the stage of
        // fetched rows keeps it from being deleted.
        out.pending = Some(PendingDelete::Keys {
            keys: name,
            stage: missing,
        });
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
        let ssql = TableSql::new(&t, Side::Standin);
        let statements = [
            copy_out_changed(&t, &with_tz),
            copy_out_changed(&t, &without),
            key_aggregate(&ssql, Some(Bound::Params(1)), Some(Bound::Params(2))),
            key_list(&ssql, None, Some(Bound::Params(1))),
        ];
        for s in &statements {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        insta::assert_snapshot!(statements.join("\n"));
    }
}
