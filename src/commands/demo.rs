//! `pgsyncer demo`: the whole job on two throwaway local clusters. Starts a main and a
//! standin cluster, loads a small shop (`fixtures/demo/main.sql`) into main and an older,
//! drifted copy (`fixtures/demo/standin.sql`) into the standin, runs the schema phase and the
//! data sync with their normal output, checks that both hold the same rows, and removes the
//! clusters (also on failure: dropping a [`Sandbox`] stops and deletes it).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use super::ExitStatus;
use crate::cli::DemoArgs;
use crate::conn::{Endpoint, Side};
use crate::data::{self, Options, TableFilter};
use crate::sandbox::Sandbox;
use crate::Error;

const MAIN_SQL: &str = include_str!("../../fixtures/demo/main.sql");
const STANDIN_SQL: &str = include_str!("../../fixtures/demo/standin.sql");
const DATABASE: &str = "shop";

pub async fn run(args: DemoArgs) -> Result<ExitStatus, Error> {
    let started = Instant::now();
    eprintln!("starting two throwaway PostgreSQL clusters (main and standin)…");
    let (main_cluster, standin_cluster) = tokio::try_join!(start_cluster(), start_cluster())?;
    eprintln!(
        "  main on port {}, standin on port {} (PostgreSQL {})",
        main_cluster.port(),
        standin_cluster.port(),
        main_cluster.version()
    );
    eprintln!("loading the shop into main and an older, drifted copy into the standin…");
    let load = Instant::now();
    let (main_url, standin_url) = tokio::try_join!(
        load_fixture(&main_cluster, MAIN_SQL, "main"),
        load_fixture(&standin_cluster, STANDIN_SQL, "standin")
    )?;
    eprintln!("  loaded in {:.1} s", load.elapsed().as_secs_f64());

    let timeout = Duration::from_secs(10);
    let main = Endpoint::parse(Side::Main, &main_url, timeout)?;
    let standin = Endpoint::parse(Side::Standin, &standin_url, timeout)?;

    eprintln!("schema phase…");
    demo_schema_phase(&main, &standin).await?;

    eprintln!("data sync ({} workers)…", args.workers);
    let options = Options {
        workers: args.workers,
        clean_extra: true,
        progress: std::io::stderr().is_terminal(),
        show_keys: 3,
        ..Options::default()
    };
    let summary = data::sync_data(&main, &standin, &options).await?;
    print!("{}", summary.render());
    super::sync::finish(&summary)?;

    eprintln!("verifying that both databases hold the same rows…");
    let checks = data::verify::verify(
        &main,
        &standin,
        options.schemas.as_deref(),
        &TableFilter::default(),
    )
    .await?;
    let mismatched: Vec<&data::verify::TableCheck> = checks.iter().filter(|c| !c.equal).collect();
    for c in &checks {
        eprintln!(
            "  {:<24} {:>8} rows  {}",
            c.table,
            c.main_rows,
            if c.equal { "match" } else { "DIFFER" }
        );
    }
    if let Some(first) = mismatched.first() {
        return Err(Error::Demo(format!(
            "{} table(s) differ after the sync, first {} (main {} rows, standin {} rows)",
            mismatched.len(),
            first.table,
            first.main_rows,
            first.standin_rows
        )));
    }
    eprintln!(
        "all {} tables match; removing the clusters (demo took {:.1} s)",
        checks.len(),
        started.elapsed().as_secs_f64()
    );
    drop(main_cluster);
    drop(standin_cluster);
    Ok(0)
}

async fn start_cluster() -> Result<Sandbox, Error> {
    tokio::task::spawn_blocking(Sandbox::start)
        .await
        .map_err(|e| Error::Demo(format!("starting a cluster: {e}")))?
        .map_err(Error::from)
}

async fn load_fixture(cluster: &Sandbox, sql: &str, which: &str) -> Result<String, Error> {
    let url = cluster
        .create_database(DATABASE)
        .await
        .map_err(|e| Error::Demo(format!("{which}: creating database {DATABASE}: {e}")))?;
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .map_err(|e| Error::Demo(format!("{which}: connecting: {e}")))?;
    let task = tokio::spawn(connection);
    client.batch_execute(sql).await.map_err(|e| {
        Error::Demo(format!(
            "{which}: loading fixtures/demo: {}",
            crate::report::report(&e)
        ))
    })?;
    client
        .batch_execute("VACUUM ANALYZE")
        .await
        .map_err(|e| Error::Demo(format!("{which}: VACUUM ANALYZE: {e}")))?;
    drop(client);
    let _ = task.await;
    Ok(url)
}

/// The schema phase of the demo: the same call `sync` makes.
async fn demo_schema_phase(main: &Endpoint, standin: &Endpoint) -> Result<(), Error> {
    // The plan adds customers.preferences, products.tags and the placed_at index, and
    // drops legacy_carts.
    let options = crate::schema_sync::SchemaSyncOptions {
        filter: crate::catalog::SchemaFilter::Only(vec!["public".to_string()]),
        tables: crate::data::TableFilter::default(),
        clean_extra: true,
        dry_run: false,
        access: crate::diff::AccessOptions::default(),
        create_roles: false,
    };
    super::sync::schema_phase(main, standin, &options).await
}
