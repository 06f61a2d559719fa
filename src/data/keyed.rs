//! Keyed tables: chunk checksums, then `(key, row hash)` merge where chunks differ, then only
//! the differing rows moved.
//!
//! Chunks are key ranges `[lo, hi)` of `chunk_size` rows with bounds taken from main. For each
//! chunk both servers compute `count(*)` and the sum of row hashes at once (for a
//! single-column key, every chunk in one scan with `width_bucket`); equal chunks are skipped. A differing chunk's `(key, hash)` pairs are read from both sides into maps
//! (memory: one chunk) and compared: keys only main has are inserts, keys with another hash
//! updates, keys only the standin has deletes. When most chunks differ (changes spread
//! evenly), the checksums are a wasted pass, so the rest of the table goes straight to the
//! merge. Rows to write are fetched from main with one `COPY` per batch of keys into a
//! temporary stage table, then applied with one `INSERT … ON CONFLICT`; deleted keys wait in
//! a temporary table until every table of the group is written (children first).

use std::collections::HashMap;

use tokio_postgres::types::ToSql;

use super::copy::pipe;
use super::error::{DataError, QueryContext};
use super::ranged::{params, RangeStatements};
use super::sql::TableSql;
use super::strategy::{Outcome, PendingDelete, TableCtx};
use super::tables::TablePair;
use crate::conn::{Session, Side};

/// After this many compared chunks, decide whether checksums pay off.
const PROBE_CHUNKS: u64 = 4;

/// Statements for one side, one per shape of range (first, middle, last, whole).
struct Prepared {
    aggregate: RangeStatements,
    key_hashes: RangeStatements,
}

async fn prepare(
    session: &Session,
    table: &TablePair,
    width: usize,
) -> Result<Prepared, DataError> {
    let sql = TableSql::new(table, session.side);
    Ok(Prepared {
        aggregate: RangeStatements::prepare(session, width, |lo, hi| sql.chunk_aggregate(lo, hi))
            .await?,
        key_hashes: RangeStatements::prepare(session, width, |lo, hi| sql.key_hashes(lo, hi))
            .await?,
    })
}

type Aggregate = (i64, String);

async fn bucket_aggregates(
    session: &Session,
    sql: &str,
    bounds: &Vec<String>,
) -> Result<HashMap<i64, Aggregate>, DataError> {
    let rows = super::session::query_hash_grouped(session, sql, &[bounds]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<_, i64>(0),
                (r.get::<_, i64>(1), r.get::<_, String>(2)),
            )
        })
        .collect())
}

async fn aggregate(
    session: &Session,
    prepared: &Prepared,
    lo: Option<&Vec<String>>,
    hi: Option<&Vec<String>>,
) -> Result<Aggregate, DataError> {
    let row = session
        .query_one(prepared.aggregate.get(lo, hi), &params(lo, hi))
        .await
        .ctx(session.side, || "computing a chunk checksum".to_string())?;
    Ok((row.get(0), row.get(1)))
}

async fn key_hashes(
    session: &Session,
    prepared: &Prepared,
    width: usize,
    lo: Option<&Vec<String>>,
    hi: Option<&Vec<String>>,
) -> Result<Vec<(Vec<String>, i64)>, DataError> {
    let rows = session
        .query(prepared.key_hashes.get(lo, hi), &params(lo, hi))
        .await
        .ctx(session.side, || "reading key hashes of a chunk".to_string())?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                (0..width).map(|i| r.get::<_, String>(i)).collect(),
                r.get(width),
            )
        })
        .collect())
}

/// Rows waiting to be fetched from main, with the key range that holds them.
#[derive(Default)]
struct FetchBatch {
    keys: Vec<Vec<String>>,
    lo: Option<Vec<String>>,
    hi: Option<Vec<String>>,
    /// The batch starts at the table's first chunk (no lower bound).
    open_low: bool,
}

pub async fn sync(ctx: &TableCtx<'_>, table: &TablePair) -> Result<Outcome, DataError> {
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

    // Single-column keys: once the first chunks show that most chunks are equal, every
    // remaining chunk's checksum comes from one scan per side (`width_bucket`).
    let bucket_sql = match (
        msql.bucketed_chunk_aggregates(),
        ssql.bucketed_chunk_aggregates(),
    ) {
        (Some(m), Some(s)) if !boundaries.is_empty() => Some((m, s)),
        _ => None,
    };
    type Buckets = HashMap<i64, Aggregate>;
    let mut bucketed: Option<(Buckets, Buckets)> = None;

    let chunks = boundaries.len() as u64 + 1;
    ctx.bar.set_chunks(chunks);
    let mut out = Outcome {
        chunks_total: chunks,
        ..Outcome::default()
    };
    let mut stage: Option<String> = None;
    let mut del_table: Option<String> = None;
    let mut batch = FetchBatch::default();
    let mut deletes: Vec<Vec<String>> = Vec::new();
    let mut compared = 0u64;
    let mut differing = 0u64;
    let mut direct = false;

    for i in 0..chunks as usize {
        let lo = i.checked_sub(1).map(|j| &boundaries[j]);
        let hi = boundaries.get(i);
        if bucketed.is_none() && !direct && compared == PROBE_CHUNKS {
            if differing * 2 > compared {
                tracing::debug!(
                    "{}: most chunks differ, merging the rest without checksums",
                    table.qualified_name()
                );
                direct = true;
            } else if let Some((m, s)) = &bucket_sql {
                let bounds: Vec<String> = boundaries.iter().map(|b| b[0].clone()).collect();
                bucketed = Some(tokio::try_join!(
                    bucket_aggregates(ctx.main, m, &bounds),
                    bucket_aggregates(ctx.standin, s, &bounds)
                )?);
            }
        }
        let checksums = if let Some((ma, sa)) = &bucketed {
            let empty = (0, "0".to_string());
            Some((
                ma.get(&(i as i64)).unwrap_or(&empty).clone(),
                sa.get(&(i as i64)).unwrap_or(&empty).clone(),
            ))
        } else if !direct {
            compared += 1;
            Some(tokio::try_join!(
                aggregate(ctx.main, &pm, lo, hi),
                aggregate(ctx.standin, &ps, lo, hi)
            )?)
        } else {
            None
        };
        if let Some((m, s)) = checksums {
            if m == s {
                out.main_rows += m.0 as u64;
                out.chunks_skipped += 1;
                ctx.bar.chunk_done();
                continue;
            }
            differing += 1;
        }
        let (mk, sk) = tokio::try_join!(
            key_hashes(ctx.main, &pm, width, lo, hi),
            key_hashes(ctx.standin, &ps, width, lo, hi)
        )?;
        out.main_rows += mk.len() as u64;
        let mut main_map: HashMap<Vec<String>, i64> = mk.into_iter().collect();
        let mut fetch: Vec<Vec<String>> = Vec::new();
        for (key, hash) in sk {
            match main_map.remove(&key) {
                Some(h) if h == hash => {}
                Some(_) => {
                    out.updated += 1;
                    fetch.push(key);
                }
                None => {
                    out.deleted += 1;
                    deletes.push(key);
                }
            }
        }
        out.inserted += main_map.len() as u64;
        fetch.extend(main_map.into_keys());
        if !ctx.dry_run {
            if !fetch.is_empty() {
                if batch.keys.is_empty() {
                    batch.lo = lo.cloned();
                    batch.open_low = lo.is_none();
                }
                batch.hi = hi.cloned();
                batch.keys.extend(fetch);
            }
            if batch.keys.len() as u64 >= ctx.chunk_size {
                flush_fetch(ctx, &msql, &ssql, &mut batch, &mut stage).await?;
            }
            if deletes.len() as u64 >= ctx.chunk_size {
                flush_deletes(ctx, &ssql, &mut deletes, &mut del_table).await?;
            }
        } else {
            deletes.clear();
        }
        ctx.bar.chunk_done();
    }
    if !ctx.dry_run {
        flush_fetch(ctx, &msql, &ssql, &mut batch, &mut stage).await?;
        flush_deletes(ctx, &ssql, &mut deletes, &mut del_table).await?;
        if let Some(stage) = &stage {
            for statement in ssql.upsert(stage) {
                ctx.standin
                    .execute(&statement, &[])
                    .await
                    .ctx(Side::Standin, || statement.clone())?;
            }
        }
        if let Some(keys) = del_table {
            out.pending = Some(PendingDelete::Keys {
                keys,
                stage: stage.clone(),
            });
        }
    }
    Ok(out)
}

async fn flush_fetch(
    ctx: &TableCtx<'_>,
    msql: &TableSql<'_>,
    ssql: &TableSql<'_>,
    batch: &mut FetchBatch,
    stage: &mut Option<String>,
) -> Result<(), DataError> {
    if batch.keys.is_empty() {
        return Ok(());
    }
    let name = match stage {
        Some(name) => name.clone(),
        None => {
            let name = ctx.temp_name("stage");
            let create = ssql.create_stage(&name);
            ctx.standin
                .batch_execute(&create)
                .await
                .ctx(Side::Standin, || create.clone())?;
            *stage = Some(name.clone());
            name
        }
    };
    let lo = if batch.open_low {
        None
    } else {
        batch.lo.as_deref()
    };
    let out_sql = msql.copy_out_keys(&batch.keys, lo, batch.hi.as_deref());
    let in_sql = ssql.copy_in(&crate::quote::ident(&name));
    pipe(ctx.main, &out_sql, ctx.standin, &in_sql).await?;
    *batch = FetchBatch::default();
    Ok(())
}

async fn flush_deletes(
    ctx: &TableCtx<'_>,
    ssql: &TableSql<'_>,
    deletes: &mut Vec<Vec<String>>,
    del_table: &mut Option<String>,
) -> Result<(), DataError> {
    if deletes.is_empty() {
        return Ok(());
    }
    let name = match del_table {
        Some(name) => name.clone(),
        None => {
            let name = ctx.temp_name("delete");
            let create = ssql.create_key_table(&name);
            ctx.standin
                .batch_execute(&create)
                .await
                .ctx(Side::Standin, || create.clone())?;
            *del_table = Some(name.clone());
            name
        }
    };
    let width = deletes[0].len();
    let columns: Vec<Vec<String>> = (0..width)
        .map(|i| deletes.iter().map(|k| k[i].clone()).collect())
        .collect();
    let params: Vec<&(dyn ToSql + Sync)> =
        columns.iter().map(|c| c as &(dyn ToSql + Sync)).collect();
    let insert = ssql.insert_keys(&name);
    ctx.standin
        .execute(&insert, &params)
        .await
        .ctx(Side::Standin, || insert.clone())?;
    deletes.clear();
    Ok(())
}
