//! Benchmark `pgsyncer plan` between two 2,000-table schemas that differ in 5 % of their
//! objects, in a throwaway cluster. Times the release binary end to end (connect,
//! introspect both sides, diff, order, validate, render) and prints the median over RUNS.
//! Run through `scripts/bench-plan.sh [RUNS]`.

use std::process::Command;
use std::time::Instant;

use pgsyncer::sandbox::Sandbox;

const TABLES: usize = 2000;
const VIEWS: usize = 500;
const FUNCTIONS: usize = 500;

/// The schema; `differ` changes every 20th object of each kind (5 %).
fn schema(differ: bool) -> String {
    let mut sql = String::new();
    let changed = |i: usize| differ && i.is_multiple_of(20);
    for i in 0..TABLES {
        let extra = if changed(i) { ", note text" } else { "" };
        let default = if changed(i + 7) { "1" } else { "0" };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL, v int DEFAULT {default}, parent bigint, created timestamptz DEFAULT now(){extra});\n\
             CREATE INDEX t{i}_name_idx ON t{i} (name);\n\
             COMMENT ON TABLE t{i} IS 'table {i}';\n"
        ));
        if i > 0 && !changed(i + 3) {
            sql.push_str(&format!(
                "ALTER TABLE t{i} ADD CONSTRAINT t{i}_parent_fk FOREIGN KEY (parent) REFERENCES t{} (id);\n",
                i - 1
            ));
        }
        if changed(i + 11) {
            sql.push_str(&format!("CREATE INDEX t{i}_v_idx ON t{i} (v);\n"));
        }
    }
    for i in 0..VIEWS {
        let cond = if changed(i) { 10 } else { 0 };
        sql.push_str(&format!(
            "CREATE VIEW v{i} AS SELECT id, name FROM t{i} WHERE v > {cond};\n"
        ));
    }
    for i in 0..FUNCTIONS {
        let k = if changed(i) { 2 } else { 1 };
        sql.push_str(&format!(
            "CREATE FUNCTION f{i}(a int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT a + {k} $$;\n"
        ));
    }
    sql
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let bin = std::env::var("PGSYNCER_BIN").unwrap_or_else(|_| "target/release/pgsyncer".into());
    let sandbox = Sandbox::start()?;
    let (admin, conn) =
        tokio_postgres::connect(&sandbox.socket_dsn("postgres"), tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    for (db, differ) in [("bench_main", false), ("bench_standin", true)] {
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .await?;
        let (c, conn) =
            tokio_postgres::connect(&sandbox.socket_dsn(db), tokio_postgres::NoTls).await?;
        tokio::spawn(conn);
        c.batch_execute(&schema(differ)).await?;
        c.batch_execute("ANALYZE").await?;
    }
    let (main_url, standin_url) = (sandbox.url("bench_main"), sandbox.url("bench_standin"));
    let mut times = Vec::new();
    let mut statements = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new(&bin)
            .args([
                "plan",
                "--maindsn",
                &main_url,
                "--standindsn",
                &standin_url,
                "--json",
            ])
            .output()?;
        times.push(start.elapsed().as_secs_f64());
        if !out.status.success() {
            return Err(format!(
                "pgsyncer plan failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        statements = json["changes"].as_array().map(|a| a.len()).unwrap_or(0);
    }
    let m = median(times.clone());
    println!(
        "plan: {TABLES} tables, {VIEWS} views, {FUNCTIONS} functions per side, 5% differing -> {statements} statements"
    );
    println!(
        "median {m:.3} s over {runs} runs (min {:.3} s, max {:.3} s); target < 3 s: ratio {:.2}",
        times.iter().cloned().fold(f64::INFINITY, f64::min),
        times.iter().cloned().fold(0.0, f64::max),
        m / 3.0
    );
    Ok(())
}
