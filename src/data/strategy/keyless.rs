//! Tables without a usable key: rows compared as a multiset (duplicates count).
//!
//! Rows are split into [`Buckets`] by their fingerprint, so both sides agree on them without
//! a key. Each side computes count and fingerprint sum per bucket in one scan; equal buckets
//! are skipped. For the others both sides stream
//! `(hash, copies)` in hash order and the streams are merged with constant memory; the
//! differences (bounded by the number of differing rows) say how many copies of which rows
//! to insert (fetched from main by hash with `COPY`) and how many to delete.

use futures_util::{pin_mut, TryStreamExt};
use tokio_postgres::types::ToSql;

use crate::conn::Side;
use crate::data::alias;
use crate::data::compare::buckets::{self, Buckets};
use crate::data::error::{DataError, QueryContext};
use crate::data::sql::TableSql;
use crate::data::strategy::{Outcome, PendingDelete};
use crate::data::table_ctx::{estimated_rows, TableCtx};
use crate::data::tables::TablePair;
use crate::data::write::copy::pipe;
use crate::quote::ident;

/// Hashes per fetch statement.
const FETCH_BATCH: usize = 20_000;

pub async fn sync(ctx: &TableCtx<'_>, table: &TablePair) -> Result<Outcome, DataError> {
    let msql = TableSql::new(table, Side::Main);
    let ssql = TableSql::new(table, Side::Standin);
    let buckets = Buckets::for_rows(estimated_rows(ctx, table).await?);
    let (mrows, srows) = (msql.fingerprints(), ssql.fingerprints());
    let totals = ctx.unwritten().then(|| {
        (
            Buckets::total_sql(&msql.relation(), &msql.row_hash()),
            Buckets::total_sql(&ssql.relation(), &ssql.row_hash()),
        )
    });
    let compared = buckets::compare(
        (ctx.main, &mrows),
        (ctx.standin, &srows),
        buckets,
        false,
        totals.as_ref().map(|(m, s)| (m.as_str(), s.as_str())),
        ctx.bar,
    )
    .await?;
    let mut out = Outcome {
        main_rows: compared.main_rows,
        chunks_total: compared.buckets,
        chunks_skipped: compared.equal(),
        by_totals: compared.by_totals,
        ..Outcome::default()
    };
    let differing = compared.differing;
    if differing.is_empty() {
        ctx.bar.message("identical");
        return Ok(out);
    }

    // Merge the two hash-ordered streams.
    let counts = msql.hash_counts(buckets, &differing);
    let scounts = ssql.hash_counts(buckets, &differing);
    let no_params: [&(dyn ToSql + Sync); 0] = [];
    let mstream = ctx
        .main
        .query_raw(counts.as_str(), no_params)
        .await
        .ctx(Side::Main, || counts.clone())?;
    let sstream = ctx
        .standin
        .query_raw(scounts.as_str(), no_params)
        .await
        .ctx(Side::Standin, || scounts.clone())?;
    pin_mut!(mstream);
    pin_mut!(sstream);
    let next = |r: Option<tokio_postgres::Row>| r.map(|r| (r.get::<_, i64>(0), r.get::<_, i64>(1)));
    let mut m = next(
        mstream
            .try_next()
            .await
            .ctx(Side::Main, || counts.clone())?,
    );
    let mut s = next(
        sstream
            .try_next()
            .await
            .ctx(Side::Standin, || scounts.clone())?,
    );
    let mut missing: Vec<(i64, i64)> = Vec::new();
    let mut surplus: Vec<(i64, i64)> = Vec::new();
    loop {
        let (advance_m, advance_s) = match (m, s) {
            (None, None) => break,
            (Some((h, n)), None) => {
                missing.push((h, n));
                (true, false)
            }
            (None, Some((h, n))) => {
                surplus.push((h, n));
                (false, true)
            }
            (Some((mh, mn)), Some((sh, sn))) => {
                if mh < sh {
                    missing.push((mh, mn));
                    (true, false)
                } else if sh < mh {
                    surplus.push((sh, sn));
                    (false, true)
                } else {
                    if mn > sn {
                        missing.push((mh, mn - sn));
                    } else if sn > mn {
                        surplus.push((sh, sn - mn));
                    }
                    (true, true)
                }
            }
        };
        if advance_m {
            m = next(
                mstream
                    .try_next()
                    .await
                    .ctx(Side::Main, || counts.clone())?,
            );
        }
        if advance_s {
            s = next(
                sstream
                    .try_next()
                    .await
                    .ctx(Side::Standin, || scounts.clone())?,
            );
        }
    }
    out.inserted = missing.iter().map(|(_, n)| *n as u64).sum();
    out.deleted = surplus.iter().map(|(_, n)| *n as u64).sum();
    ctx.bar
        .message(format!("+{} -{}", out.inserted, out.deleted));
    if ctx.dry_run {
        return Ok(out);
    }
    let target = ssql.qualified();
    for batch in missing.chunks(FETCH_BATCH) {
        let hashes: Vec<i64> = batch.iter().map(|(h, _)| *h).collect();
        let wanted: Vec<i64> = batch.iter().map(|(_, n)| *n).collect();
        let out_sql = msql.copy_out_hashes(&hashes, &wanted);
        pipe(ctx.main, &out_sql, ctx.standin, &ssql.copy_in(&target)).await?;
    }
    if !surplus.is_empty() {
        let name = ctx.temp_name("surplus");
        let names = ssql.aliases();
        let create = format!(
            "CREATE TEMP TABLE {} ({} int8, {} int8) ON COMMIT DROP",
            ident(&name),
            names.get(alias::HASH),
            names.get(alias::COPIES)
        );
        ctx.standin
            .batch_execute(&create)
            .await
            .ctx(Side::Standin, || create.clone())?;
        let insert = format!(
            "INSERT INTO {} SELECT * FROM unnest($1::int8[], $2::int8[])",
            ident(&name)
        );
        for batch in surplus.chunks(FETCH_BATCH) {
            let hashes: Vec<i64> = batch.iter().map(|(h, _)| *h).collect();
            let copies: Vec<i64> = batch.iter().map(|(_, n)| *n).collect();
            ctx.standin
                .execute(&insert, &[&hashes, &copies])
                .await
                .ctx(Side::Standin, || insert.clone())?;
        }
        out.pending = Some(PendingDelete::Hashes { surplus: name });
    }
    Ok(out)
}
