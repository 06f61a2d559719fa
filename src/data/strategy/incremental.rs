//! `--use-updated-at`: read from main only the rows changed since the watermark, merge them
//! into the standin, then find rows main deleted by comparing key sets.
//!
//! Per table (keyed, standin not empty, a watermark known):
//! 1. `COPY (SELECT … WHERE updated_at >= watermark OR updated_at IS NULL)` from main (inside
//!    the shared snapshot) into a temporary stage; rows without a timestamp cannot be proven
//!    old, so they are always re-read (and written only when they differ).
//! 2. [`merge`](crate::data::write::merge) the stage into the table (`ON CONFLICT … DO UPDATE … WHERE row IS
//!    DISTINCT FROM`).
//! 3. Unless `--no-deletes`: the key sets are compared by hash buckets of the key
//!    ([`keydiff`](crate::data::compare::keydiff) with [`Values::Keys`]): one scan per side hashing keys
//!    only; then the keys of differing buckets, read off sums of the keys for an integer or uuid key
//!    ([`reconcile`](crate::data::compare::reconcile)), listed by a second scan otherwise. Keys only the standin has are deleted (after
//!    the group's writes, children first); keys only main has (a row the watermark missed,
//!    e.g. written with an old `updated_at`) are fetched and merged too.
//!
//! Every other table falls back to the full comparison; see [`crate::data::strategy::mode`].

use crate::conn::Side;
use crate::data::compare::keydiff::{self, KeyWriter, Values};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::summary::{Change, KeySamples};
use crate::data::sql::TableSql;
use crate::data::strategy::{Outcome, PendingDelete};
use crate::data::table_ctx::TableCtx;
use crate::data::tables::{Column, TablePair};
use crate::data::write::copy::pipe;
use crate::data::write::merge;
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
    out.keys = KeySamples::new(
        ctx.show_keys,
        table.key_columns().iter().map(|c| c.name.clone()).collect(),
    );
    if read > 0 {
        if ctx.show_keys > 0 {
            sample_changed_keys(ctx, table, &stage, &mut out.keys).await?;
        }
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

/// `--show-keys`: which staged rows the merge will insert (key absent on the standin) and
/// update (row text differs, as the merge decides), up to the limit of each, read before
/// the merge since after it the two cannot be told apart.
async fn sample_changed_keys(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    stage: &str,
    samples: &mut KeySamples,
) -> Result<(), DataError> {
    let sql = changed_keys_sql(table, stage, ctx.show_keys);
    let rows = ctx
        .standin
        .query(&sql, &[])
        .await
        .ctx(Side::Standin, || sql.clone())?;
    for row in rows {
        let read = || -> Result<(bool, Vec<String>), tokio_postgres::Error> {
            let key = (1..row.len())
                .map(|i| Ok(row.try_get::<_, Option<String>>(i)?.unwrap_or_default()))
                .collect::<Result<_, tokio_postgres::Error>>()?;
            Ok((row.try_get(0)?, key))
        };
        let (fresh, key) = read().ctx(Side::Standin, || sql.clone())?;
        let kind = if fresh {
            Change::Inserted
        } else {
            Change::Updated
        };
        samples.note(kind, &key);
    }
    Ok(())
}

/// Up to `limit` keys (main's text) of staged rows missing on the standin and of staged
/// rows that differ from the standin's, each row `(missing, key columns…)`.
pub fn changed_keys_sql(table: &TablePair, stage: &str, limit: usize) -> String {
    let target = TableSql::new(table, Side::Standin).relation();
    let keys = table.key_columns();
    let Some(first) = keys.first() else {
        return "SELECT true WHERE false".to_string();
    };
    let join = keys
        .iter()
        .map(|c| format!("pgsyncer_t.{0} = pgsyncer_s.{0}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let key_text = keys
        .iter()
        .enumerate()
        .map(|(i, c)| format!("pgsyncer_s.{}::text AS pgsyncer_k{i}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(", ");
    let outer = (0..keys.len())
        .map(|i| format!("pgsyncer_k{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let updatable = merge::updatable(table);
    let row = |alias: &str| {
        let cols: Vec<String> = updatable
            .iter()
            .map(|c| format!("{alias}.{}", ident(&c.name)))
            .collect();
        format!("ROW({})::text", cols.join(", "))
    };
    let differs = if updatable.is_empty() {
        String::new()
    } else {
        format!(
            " OR {} IS DISTINCT FROM {}",
            row("pgsyncer_t"),
            row("pgsyncer_s")
        )
    };
    let missing = format!("pgsyncer_t.{} IS NULL", ident(&first.name));
    format!(
        "SELECT pgsyncer_missing, {outer} FROM (SELECT {missing} AS pgsyncer_missing, {key_text}, \
         row_number() OVER (PARTITION BY {missing}) AS pgsyncer_n \
         FROM {} AS pgsyncer_s LEFT JOIN {target} AS pgsyncer_t ON {join} \
         WHERE {missing}{differs}) AS pgsyncer_c WHERE pgsyncer_n <= {limit}",
        ident(stage)
    )
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
    out.keys.absorb(found.keys);
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
    use crate::data::write::merge::tests::table;

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

    #[test]
    fn changed_keys_statement_parses() {
        for updatable in [true, false] {
            let s = changed_keys_sql(&table(updatable), "pgsyncer_incr_1", 5);
            pg_query::parse(&s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert!(s.contains("pgsyncer_n <= 5"), "{s}");
        }
    }
}
