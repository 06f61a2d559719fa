//! Benchmark for catalog introspection and `dump` rendering (run by
//! `scripts/bench-introspect.sh`): a throwaway cluster with 2,000 tables (primary key, two
//! indexes, a foreign key, a comment each), 500 views and 500 functions; prints the median
//! of several runs.

use std::time::{Duration, Instant};

use pgsyncer::catalog::{introspect, SchemaFilter};
use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::sandbox::Sandbox;

const TABLES: usize = 2000;
const VIEWS: usize = 500;
const FUNCTIONS: usize = 500;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let sandbox = Sandbox::start()?;
    let url = sandbox.create_database("bench").await?;
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    let setup = Instant::now();
    let mut sql = String::new();
    for i in 0..TABLES {
        let fk = if i == 0 {
            String::new()
        } else {
            format!(", parent_id int REFERENCES t{} (id)", i - 1)
        };
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id int PRIMARY KEY, name text, created timestamptz DEFAULT now(){fk});\n\
             CREATE INDEX t{i}_name ON t{i} (name);\n\
             CREATE INDEX t{i}_created ON t{i} (created DESC);\n\
             COMMENT ON TABLE t{i} IS 'table number {i}';\n"
        ));
        if i == 0 {
            sql.push_str("ALTER TABLE t0 ADD COLUMN parent_id int;\n");
        }
    }
    for i in 0..VIEWS {
        sql.push_str(&format!(
            "CREATE VIEW v{i} AS SELECT id, name FROM t{i} WHERE name IS NOT NULL;\n"
        ));
    }
    for i in 0..FUNCTIONS {
        sql.push_str(&format!(
            "CREATE FUNCTION f{i}(a int, b text DEFAULT 'x') RETURNS int LANGUAGE plpgsql \
             STABLE AS $$ BEGIN RETURN a + {i}; END $$;\n"
        ));
    }
    client.batch_execute(&sql).await?;
    client.batch_execute("ANALYZE").await?;
    eprintln!("setup: {:.1} s", setup.elapsed().as_secs_f64());

    let endpoint = Endpoint::parse(Side::Main, &url, Duration::from_secs(10))?;
    let session = endpoint.connect().await?;
    let filter = SchemaFilter::Only(vec!["public".to_string()]);
    let mut introspection = Vec::new();
    let mut dumps = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let schema = introspect(&session, &filter).await?;
        introspection.push(start.elapsed());
        let text = pgsyncer::ddl::dump(&schema)?;
        dumps.push(start.elapsed());
        size = text.len();
        assert_eq!(schema.tables.len(), TABLES);
    }
    let i = median(introspection);
    let d = median(dumps);
    println!("objects: {TABLES} tables (pk, 2 indexes, fk, comment), {VIEWS} views, {FUNCTIONS} functions");
    println!("runs: {runs}");
    println!("median introspection: {:.3} s", i.as_secs_f64());
    println!(
        "median dump (introspection + ordering + rendering + pg_query check): {:.3} s",
        d.as_secs_f64()
    );
    println!("dump size: {} KiB", size / 1024);
    println!(
        "target introspection < 2 s: {}",
        if i.as_secs_f64() < 2.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    Ok(())
}
