//! Lower bounds for `scripts/bench.sh`: what the servers alone spend fingerprinting rows, with
//! nothing sent to pgsyncer and nothing compared. Any exact comparison of two tables has to
//! read and fingerprint every row of both (at the very least of main), so a re-sync cannot
//! be cheaper than these on the same machine.
//!
//! `bench_bound MAIN_URL STANDIN_URL` prints, in seconds, one table per session and all
//! tables at once (as pgsyncer's workers run them):
//!   MAIN_ROWS=     every row fingerprinted on main alone (aggregate, no transfer)
//!   BOTH_ROWS=     the same on both servers at once
//!   BOTH_KEYS=     every key hashed on both servers at once (keyless tables: every row),
//!                  the least the key-set pass of `--use-updated-at` must do
//!   INCR=          BOTH_KEYS, and at the same time main scanning each table that has an
//!                  `updated_at` column for the rows changed in the last minute: the least
//!                  a `--use-updated-at` run must do (its upsert on the standin not counted)

use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::data::fingerprint::{key_hash, row_hash};
use pgsyncer::data::session;
use pgsyncer::data::sql::TableSql;
use pgsyncer::data::tables::{self, TablePair};

type Error = Box<dyn std::error::Error>;

/// `count(*)` and a sum over `expr` of every row: one scan, one aggregate, one result row.
fn aggregate(table: &TablePair, side: Side, expr: &str) -> String {
    format!(
        "SELECT count(*), sum({expr}) FROM {}",
        TableSql::new(table, side).relation()
    )
}

fn rows_expr(table: &TablePair, side: Side) -> String {
    format!("{} # {}", key_hash(table, side), row_hash(table, side))
}

fn keys_expr(table: &TablePair, side: Side) -> String {
    if table.key.is_some() {
        key_hash(table, side)
    } else {
        row_hash(table, side)
    }
}

/// Run every `(endpoint, statement)` on its own session at once; the wall time.
async fn timed(jobs: Vec<(&Endpoint, String)>) -> Result<Duration, Error> {
    let mut sessions = Vec::new();
    for (endpoint, sql) in jobs {
        sessions.push((session::open(endpoint).await?, sql));
    }
    let started = Instant::now();
    try_join_all(
        sessions
            .iter()
            .map(|(s, sql)| s.query_one(sql.as_str(), &[])),
    )
    .await?;
    Ok(started.elapsed())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [main_url, standin_url] = args.as_slice() else {
        return Err("usage: bench_bound MAIN_URL STANDIN_URL".into());
    };
    let timeout = Duration::from_secs(30);
    let main = Endpoint::parse(Side::Main, main_url, timeout)?;
    let standin = Endpoint::parse(Side::Standin, standin_url, timeout)?;
    let schemas = ["public".to_string()];
    let (m, s) = (session::open(&main).await?, session::open(&standin).await?);
    let (mt, st) = (
        tables::load_tables(&m, Some(&schemas)).await?,
        tables::load_tables(&s, Some(&schemas)).await?,
    );
    let pairs: Vec<TablePair> = mt
        .iter()
        .filter_map(|t| {
            let twin = st
                .iter()
                .find(|u| u.schema == t.schema && u.name == t.name)?;
            Some(tables::pair(t, twin, true))
        })
        .collect();

    let on = |endpoint: &'static str, expr: fn(&TablePair, Side) -> String| {
        let mut jobs = Vec::new();
        for p in &pairs {
            if endpoint != "standin" {
                jobs.push((&main, aggregate(p, Side::Main, &expr(p, Side::Main))));
            }
            if endpoint != "main" {
                jobs.push((
                    &standin,
                    aggregate(p, Side::Standin, &expr(p, Side::Standin)),
                ));
            }
        }
        jobs
    };
    let mut incremental = on("both", keys_expr);
    for p in &pairs {
        if p.columns.iter().any(|c| c.name == "updated_at") {
            incremental.push((
                &main,
                format!(
                    "SELECT count(*) FROM {} WHERE updated_at >= now() - interval '1 minute'",
                    TableSql::new(p, Side::Main).relation()
                ),
            ));
        }
    }
    let main_rows = timed(on("main", rows_expr)).await?;
    let both_rows = timed(on("both", rows_expr)).await?;
    let both_keys = timed(on("both", keys_expr)).await?;
    println!("MAIN_ROWS={:.3}", main_rows.as_secs_f64());
    println!("BOTH_ROWS={:.3}", both_rows.as_secs_f64());
    let incremental = timed(incremental).await?;
    println!("BOTH_KEYS={:.3}", both_keys.as_secs_f64());
    println!("INCR={:.3}", incremental.as_secs_f64());
    Ok(())
}
