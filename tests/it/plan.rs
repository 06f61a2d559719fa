//! Schema plans against real PostgreSQL: for every `fixtures/schema/<case>`, plan the
//! migration from the standin to main, snapshot it, apply it, then check that (1) the next
//! plan is empty and (2) both catalogs are equal, by pgsyncer's dump and by `pg_dump
//! --schema-only` (the test-only oracle). Also the reverse direction, from and to an empty
//! database, a failing apply that must leave the standin as it was, and the command line.
//!
//! Cases run concurrently on the shared cluster; failures are collected and named.
use crate::support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use pgsyncer::catalog::{introspect, SchemaFilter};
use pgsyncer::conn::{Endpoint, Side};
use pgsyncer::model::Schema;
use pgsyncer::plan::{self, Plan, PlanHeader, PlanOptions};

const CONCURRENCY: usize = 4;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema")
}

/// The minimum `server_version_num` a fixture file declares (`-- min_server_version: N`
/// on a line of its own), 0 when none.
fn min_server_version(sql: &str) -> u32 {
    sql.lines()
        .find_map(|l| l.strip_prefix("-- min_server_version: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// `(case, main.sql, standin.sql, expected failure)`, sorted by name; a case whose files
/// need a newer server than the test cluster's is left out.
fn cases() -> Vec<(String, String, String, Option<String>)> {
    let server = support::with_cluster(|c| c.major_version()) * 10000;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("fixtures/schema") {
        let dir = entry.expect("entry").path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        let fails = std::fs::read_to_string(dir.join("fails.txt"))
            .ok()
            .map(|s| s.trim().to_string());
        let (main, standin) = (read("main.sql"), read("standin.sql"));
        if min_server_version(&main).max(min_server_version(&standin)) > server {
            eprintln!("skipping {name}: needs a newer server");
            continue;
        }
        out.push((name, main, standin, fails));
    }
    out.sort();
    out
}

async fn database(label: &str, sql: &str) -> String {
    let url = support::fresh_db(label).await;
    if !sql.trim().is_empty() {
        let client = support::raw_client(&url).await;
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("loading {label}: {e:?}"));
    }
    url
}

async fn model(url: &str, side: Side) -> Result<Schema, String> {
    let endpoint =
        Endpoint::parse(side, url, Duration::from_secs(10)).map_err(|e| e.to_string())?;
    let session = endpoint.connect().await.map_err(|e| e.to_string())?;
    introspect(&session, &SchemaFilter::All)
        .await
        .map_err(|e| pgsyncer::error::report(&e))
}

fn make_plan(main: &Schema, standin: &Schema, clean_extra: bool) -> Result<Plan, String> {
    plan::build(
        main,
        standin,
        PlanOptions {
            clean_extra,
            ..PlanOptions::default()
        },
        PlanHeader::default(),
    )
    .map_err(|e| e.to_string())
}

async fn apply(url: &str, plan: &Plan) -> Result<(), String> {
    let client = pgsyncer::conn::LoggedClient::new(
        support::raw_client(url).await,
        pgsyncer::conn::Side::Standin,
    );
    pgsyncer::apply::apply(&client, plan)
        .await
        .map(|_| ())
        .map_err(|e| pgsyncer::error::report(&e))
}

/// `pg_dump --schema-only` as a sorted list of statements, without comments and settings.
async fn pg_dump(url: &str) -> Result<Vec<String>, String> {
    let pg_dump = support::with_cluster(|c| c.client_program("pg_dump"));
    // tokio's Command, so a running pg_dump does not hold up a runtime thread.
    let out = tokio::process::Command::new(pg_dump)
        .args(["--schema-only", "--no-owner", "--no-privileges", "-d", url])
        .output()
        .await
        .map_err(|e| format!("pg_dump: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("--") && !l.starts_with('\\') && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let mut statements: Vec<String> = body
        .split(";\n")
        .map(|s| s.trim().to_string())
        .filter(|s| {
            !s.is_empty()
                && !s.starts_with("SET ")
                && !s.starts_with("SELECT pg_catalog.set_config")
        })
        .map(|s| sort_with_options(&s))
        .collect();
    statements.sort();
    Ok(statements)
}

/// Storage parameters in `WITH (…)` sorted: their order in `reloptions` depends on the
/// order they were set in, which carries no meaning.
fn sort_with_options(statement: &str) -> String {
    statement
        .lines()
        .map(|line| {
            match line
                .strip_prefix("WITH (")
                .and_then(|r| r.strip_suffix(')'))
            {
                Some(list) => {
                    let mut items: Vec<&str> = list.split(", ").collect();
                    items.sort();
                    format!("WITH ({})", items.join(", "))
                }
                None => line.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Drop a test database once a case is done, so ~600 databases never pile up on disk.
async fn drop_database(url: &str) {
    let Some(name) = url
        .rsplit('/')
        .next()
        .map(|n| n.split('?').next().unwrap_or(n).to_string())
    else {
        return;
    };
    let admin = support::with_cluster(|c| c.socket_dsn("postgres"));
    let client = support::raw_client(&admin).await;
    let _ = client
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await;
}

/// [`check_convergence`], then drop both databases whatever the outcome.
async fn converge(label: &str, main_sql: &str, standin_sql: &str) -> Result<String, String> {
    let main_url = database(&format!("{label}_m"), main_sql).await;
    let standin_url = database(&format!("{label}_s"), standin_sql).await;
    let result = check_convergence(&main_url, &standin_url).await;
    tokio::join!(drop_database(&main_url), drop_database(&standin_url));
    result
}

/// Apply main's schema onto the standin and check convergence; returns the plan body
/// (with the plan without --clean-extra after it when that differs).
async fn check_convergence(main_url: &str, standin_url: &str) -> Result<String, String> {
    let (main_url, standin_url) = (main_url.to_string(), standin_url.to_string());
    let main = model(&main_url, Side::Main).await?;
    let standin = model(&standin_url, Side::Standin).await?;
    let first = make_plan(&main, &standin, true)?;
    let body = plan::render_body(&first);
    // Without --clean-extra: what exists only in the standin is listed, not dropped.
    let kept = plan::render_body(&make_plan(&main, &standin, false)?);
    apply(&standin_url, &first)
        .await
        .map_err(|e| format!("apply failed: {e}\n--- plan:\n{body}"))?;
    let after = model(&standin_url, Side::Standin).await?;
    let again = make_plan(&main, &after, true)?;
    if !again.is_empty() {
        return Err(format!(
            "second plan not empty:\n{}\n--- first plan:\n{body}",
            plan::render_body(&again)
        ));
    }
    let (dm, ds) = (pgsyncer::ddl::dump(&main), pgsyncer::ddl::dump(&after));
    let (dm, ds) = (
        dm.map_err(|e| e.to_string())?,
        ds.map_err(|e| e.to_string())?,
    );
    if dm != ds {
        return Err(format!("dumps differ:\n--- main\n{dm}\n--- standin\n{ds}"));
    }
    let (pm, ps) = tokio::join!(pg_dump(&main_url), pg_dump(&standin_url));
    let (pm, ps) = (pm?, ps?);
    if pm != ps {
        let only_main: Vec<&String> = pm.iter().filter(|s| !ps.contains(s)).collect();
        let only_standin: Vec<&String> = ps.iter().filter(|s| !pm.contains(s)).collect();
        return Err(format!(
            "pg_dump differs:\n--- only in main:\n{}\n--- only in standin:\n{}\n--- plan:\n{body}",
            only_main
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(";\n"),
            only_standin
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(";\n"),
        ));
    }
    Ok(if kept == body {
        body
    } else {
        format!("{body}\n-- ===== without --clean-extra =====\n{kept}")
    })
}

/// Run `f` over every convergent case concurrently: the plans of those that converged, and
/// a message per failure.
async fn for_each_case<F, Fut>(what: &str, f: F) -> (Vec<(String, String)>, Vec<String>)
where
    F: Fn(String, String, String) -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let runs = cases()
        .into_iter()
        .filter(|c| c.3.is_none())
        .map(|(name, m, s, _)| {
            let fut = f(name.clone(), m, s);
            async move { (name, fut.await) }
        });
    let results: Vec<(String, Result<String, String>)> = stream::iter(runs)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut failures: Vec<String> = Vec::new();
    let mut ok = Vec::new();
    for (name, result) in results {
        match result {
            Ok(body) => ok.push((name, body)),
            Err(e) => failures.push(format!("=== {what} {name}: {e}")),
        }
    }
    failures.sort();
    ok.sort();
    (ok, failures)
}

/// Panic naming every failure.
fn assert_none_failed(what: &str, ok: usize, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} of {} cases failed ({what}):\n{}",
        failures.len(),
        failures.len() + ok,
        failures.join("\n\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_converges_main_onto_standin() {
    assert!(cases().len() >= 40, "at least 40 fixture cases");
    let (ok, failures) = for_each_case("forward", |name, m, s| async move {
        converge(&format!("f_{name}"), &m, &s).await
    })
    .await;
    let converged = ok.len();
    for (name, body) in ok {
        insta::assert_snapshot!(name, body);
    }
    assert_none_failed("forward", converged, &failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_converges_in_reverse_with_clean_extra() {
    let (ok, failures) = for_each_case("reverse", |name, m, s| async move {
        converge(&format!("r_{name}"), &s, &m)
            .await
            .map(|_| String::new())
    })
    .await;
    assert_none_failed("reverse", ok.len(), &failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_converges_from_and_to_an_empty_database() {
    let (ok, failures) = for_each_case("empty", |name, m, _| async move {
        converge(&format!("e_{name}"), &m, "").await?;
        converge(&format!("z_{name}"), "", &m)
            .await
            .map(|_| String::new())
    })
    .await;
    assert_none_failed("from/to empty", ok.len(), &failures);
}

/// How many random pairs of fixture schemas [`random_pairs_converge_both_ways`] tries.
const PAIRS: usize = 24;

/// Schemas written for different cases, chosen in random pairs (a fixed seed, or
/// `PGSYNCER_PAIRS_SEED` to explore others): the plan from each to the other must apply and
/// converge, both ways. Two unrelated schemas that share names (every case has a `public.t`
/// of its own) are what a real pair of environments looks like.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_pairs_converge_both_ways() {
    let pool: Vec<(String, String)> = cases()
        .into_iter()
        .filter(|c| c.3.is_none())
        .flat_map(|(name, m, s, _)| [(format!("{name}/main"), m), (format!("{name}/standin"), s)])
        .filter(|(_, sql)| !sql.trim().is_empty())
        .collect();
    let seed: u64 = std::env::var("PGSYNCER_PAIRS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261206);
    // xorshift64*: a fixed, dependency-free sequence, so a failure replays.
    let mut state = seed.max(1);
    let mut next = |n: usize| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    };
    let mut pairs = Vec::new();
    while pairs.len() < PAIRS {
        let (a, b) = (next(pool.len()), next(pool.len()));
        if a != b {
            pairs.push((a, b));
        }
    }
    let runs = pairs.iter().enumerate().flat_map(|(i, &(a, b))| {
        [(i, a, b, "ab"), (i, b, a, "ba")].map(|(i, from, to, way)| {
            let (from_name, from_sql) = pool[from].clone();
            let (to_name, to_sql) = pool[to].clone();
            async move {
                let result = converge(&format!("p{i}{way}"), &to_sql, &from_sql).await;
                (format!("{from_name} -> {to_name}"), result)
            }
        })
    });
    let results: Vec<(String, Result<String, String>)> = stream::iter(runs)
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(name, r)| {
            r.as_ref()
                .err()
                .map(|e| format!("=== {name} (seed {seed}): {e}"))
        })
        .collect();
    assert_none_failed("random pairs", results.len() - failures.len(), &failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_apply_leaves_the_standin_exactly_as_it_was() {
    let failing: Vec<_> = cases().into_iter().filter(|c| c.3.is_some()).collect();
    assert!(!failing.is_empty(), "a fixture with fails.txt");
    for (name, m, s, expected) in failing {
        let expected = expected.unwrap();
        let main_url = database(&format!("x_{name}_m"), &m).await;
        let standin_url = database(&format!("x_{name}_s"), &s).await;
        let main = model(&main_url, Side::Main).await.unwrap();
        let before = model(&standin_url, Side::Standin).await.unwrap();
        let dump_before = pg_dump(&standin_url).await.unwrap();
        let plan = make_plan(&main, &before, true).unwrap();
        assert!(!plan.statements.is_empty(), "{name}: plan has statements");
        let err = apply(&standin_url, &plan)
            .await
            .expect_err("apply must fail");
        assert!(
            err.contains(&expected),
            "{name}: error names the cause: {err}"
        );
        assert!(
            err.contains("statement:") && err.contains("ALTER TABLE"),
            "{name}: error shows the statement: {err}"
        );
        assert!(err.contains("nothing was changed"), "{err}");
        let after = model(&standin_url, Side::Standin).await.unwrap();
        assert_eq!(before, after, "{name}: model unchanged");
        assert_eq!(
            dump_before,
            pg_dump(&standin_url).await.unwrap(),
            "{name}: pg_dump unchanged"
        );
        // The rows are still there.
        let client = support::raw_client(&standin_url).await;
        let n: i64 = client
            .query_one("SELECT count(*) FROM people", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1);
    }
}

fn run_cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(support::pgsyncer_bin())
        .args(args)
        .env_remove("PGSYNCER_MAINDSN")
        .env_remove("PGSYNCER_STANDINDSN")
        .output()
        .expect("run pgsyncer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_command_check_out_json_and_snapshots() {
    let dir = fixtures().join("column_add");
    let m = std::fs::read_to_string(dir.join("main.sql")).unwrap();
    let s = std::fs::read_to_string(dir.join("standin.sql")).unwrap();
    let main_url = database("cli_m", &m).await;
    let standin_url = database("cli_s", &s).await;
    let same_url = database("cli_same", &m).await;

    // --check: 3 when they differ, 0 and no output when they match.
    let out = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &standin_url,
        "--check",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(sql.starts_with("-- pgsyncer plan"), "{sql}");
    assert!(
        sql.contains("-- main:    PostgreSQL 1") && sql.contains("-- standin: PostgreSQL 1"),
        "{sql}"
    );
    assert!(
        sql.contains("-- schemas: public") && sql.contains("-- generated: "),
        "{sql}"
    );
    assert!(
        sql.contains("BEGIN;") && sql.trim_end().ends_with("COMMIT;"),
        "{sql}"
    );
    assert!(!sql.contains("sandbox-pw"), "no password in the plan");
    let out = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &same_url,
        "--check",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "empty output when they match");

    // --out writes a file that psql runs; afterwards the plan is empty.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("migration.sql");
    let out = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &standin_url,
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let psql = support::with_cluster(|c| c.client_program("psql"));
    let psql = std::process::Command::new(psql)
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &standin_url,
            "-f",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        psql.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&psql.stderr)
    );
    let out = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &standin_url,
        "--check",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "after psql ran the file: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // --json lists changes with their kinds and hazards.
    let fresh = database("cli_s2", &s).await;
    let out = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &fresh,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = json["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    assert!(changes
        .iter()
        .all(|c| c["action"].is_string() && c["sql"].is_string() && c["hazards"].is_array()));
    assert!(changes
        .iter()
        .any(|c| c["sql"].as_str().unwrap().contains("ADD COLUMN price")));

    // Snapshots in place of either server give the same plan.
    let snap = tmp.path().join("main.json");
    let out = run_cli(&[
        "snapshot",
        "--dsn",
        &main_url,
        "--out",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &fresh,
        "--json",
    ]);
    let offline = run_cli(&[
        "plan",
        "--main-snapshot",
        snap.to_str().unwrap(),
        "--standindsn",
        &fresh,
        "--json",
    ]);
    assert_eq!(
        offline.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    let strip = |o: &std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["generated_at"] = serde_json::Value::Null;
        v["changes"].clone()
    };
    assert_eq!(strip(&live), strip(&offline));
}

/// Objects of kinds pgsyncer does not model, created on main: each (kind, name) the plan
/// reports. Aggregates, INHERITS, rules, statistics, operators, text search
/// configurations and foreign objects are modelled, so they are synced, not reported.
const UNMODELLED_MAIN: &str = "
    CREATE TABLE public.plain (a int, b int);
    CREATE TABLE public.child (c int) INHERITS (public.plain);
    CREATE AGGREGATE public.total(int) (sfunc = int4pl, stype = int);
    CREATE FUNCTION public.same(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
    CREATE OPERATOR public.=== (leftarg = int, rightarg = int, function = public.same);
    CREATE RULE keep_rows AS ON DELETE TO public.plain DO INSTEAD NOTHING;
    CREATE STATISTICS public.plain_ab (dependencies) ON a, b FROM public.plain;
    CREATE TEXT SEARCH CONFIGURATION public.plain_ts (COPY = pg_catalog.english);
    CREATE FOREIGN DATA WRAPPER test_fdw;
    CREATE SERVER test_server FOREIGN DATA WRAPPER test_fdw;
    CREATE FOREIGN TABLE public.remote (a int) SERVER test_server;
    CREATE OPERATOR FAMILY public.plain_ops USING btree;
";

fn reported(plan: &Plan) -> Vec<(String, String, bool)> {
    plan.not_synced
        .iter()
        .map(|n| (n.kind.clone(), n.name.clone(), n.on_standin))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_pgsyncer_does_not_model_are_reported() {
    // An empty database has none.
    let empty_url = database("unm_empty", "").await;
    let empty = model(&empty_url, Side::Standin).await.unwrap();
    assert_eq!(empty.unmodelled, vec![], "an empty database reports none");

    let main_url = database("unm_m", UNMODELLED_MAIN).await;
    let main = model(&main_url, Side::Main).await.unwrap();
    let plan = make_plan(&main, &empty, false).unwrap();
    let owned = |k: &str, n: &str| (k.to_string(), n.to_string(), false);
    assert_eq!(
        reported(&plan),
        vec![owned("operator family", "public.plain_ops USING btree"),]
    );
    assert!(!plan.is_empty(), "main has objects the standin lacks");
    // The aggregate and the inheriting table are modelled: the plan creates them.
    let sql = plan::render_body(&plan);
    assert!(
        sql.contains("CREATE AGGREGATE public.total(integer)"),
        "{sql}"
    );
    assert!(sql.contains("INHERITS (public.plain)"), "{sql}");
    assert!(
        sql.contains("CREATE FOREIGN TABLE public.remote (\n    a integer\n) SERVER test_server"),
        "{sql}"
    );
    assert!(
        sql.contains("CREATE TEXT SEARCH CONFIGURATION public.plain_ts"),
        "{sql}"
    );
    assert!(
        sql.contains("CREATE RULE keep_rows AS\n    ON DELETE TO public.plain DO INSTEAD NOTHING"),
        "{sql}"
    );
    assert!(
        sql.contains("CREATE STATISTICS public.plain_ab (dependencies) ON a, b FROM public.plain"),
        "{sql}"
    );
    assert!(
        sql.starts_with("-- not synced: main holds 1 object(s)"),
        "{sql}"
    );
    insta::assert_snapshot!("unmodelled_warning", plan.not_synced_warning().unwrap());
    let json = plan::render_json(&plan);
    assert_eq!(
        json["not_synced"].as_array().map(Vec::len),
        Some(1),
        "{json}"
    );

    // An object on both sides is said to be not compared; one only on the standin is
    // not reported at all.
    let standin_url = database(
        "unm_s",
        "CREATE TABLE public.plain (a int, b int);
         CREATE OPERATOR FAMILY public.plain_ops USING btree;
         CREATE OPERATOR FAMILY public.standin_only USING btree;",
    )
    .await;
    let standin = model(&standin_url, Side::Standin).await.unwrap();
    let plan = make_plan(&main, &standin, false).unwrap();
    let both: Vec<_> = reported(&plan).into_iter().filter(|r| r.2).collect();
    assert_eq!(
        both,
        vec![(
            "operator family".to_string(),
            "public.plain_ops USING btree".to_string(),
            true
        )]
    );
    assert!(!reported(&plan).iter().any(|r| r.1.contains("standin_only")));
    let warning = plan.not_synced_warning().unwrap();
    assert!(
        warning.contains(
            "on both sides, not compared (they may differ):\n    operator family (1): public.plain_ops USING btree"
        ),
        "{warning}"
    );

    // The plan command says so on stderr, and the SQL file in a comment.
    let out = run_cli(&["plan", "--maindsn", &main_url, "--standindsn", &empty_url]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("WARN") && err.contains("operator family (1): public.plain_ops USING btree"),
        "{err}"
    );
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        sql.contains("--    operator family (1): public.plain_ops USING btree"),
        "{sql}"
    );

    // sync warns too; afterwards the modelled objects match, the unmodelled ones are still
    // missing: plan --check says drift, and the file holds only the comment.
    let synced_url = database("unm_sync", "").await;
    let out = run_cli(&[
        "--maindsn",
        &main_url,
        "--standindsn",
        &synced_url,
        "--sync-data=false",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("WARN") && err.contains("operator family (1): public.plain_ops USING btree"),
        "{err}"
    );
    let out = run_cli(&[
        "plan",
        "--maindsn",
        &main_url,
        "--standindsn",
        &synced_url,
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        sql.contains("-- not synced: main holds 1 object(s)") && !sql.contains("BEGIN;"),
        "{sql}"
    );
    for url in [&empty_url, &main_url, &standin_url, &synced_url] {
        drop_database(url).await;
    }
}

/// A user mapping's password (any option whose name contains "password") is never read:
/// the plan creates the mapping without it and names what it left out in its not-synced
/// report, as the dump does; the model, the plan file and its JSON never hold the value.
/// Once the standin has the options set by hand (to any value: they are never compared),
/// the plan is empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_mappings_password_is_never_copied_and_the_plan_says_so() {
    let main_url = database(
        "secret_m",
        "CREATE EXTENSION postgres_fdw;
         CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'h', dbname 'd');
         CREATE USER MAPPING FOR PUBLIC SERVER remote
             OPTIONS (user 'app', password 'hunter2-secret', password_required 'false');",
    )
    .await;
    let standin_url = database("secret_s", "").await;
    let main = model(&main_url, Side::Main).await.unwrap();
    assert!(!format!("{main:?}").contains("hunter2"), "{main:?}");
    let standin = model(&standin_url, Side::Standin).await.unwrap();
    let plan = make_plan(&main, &standin, true).unwrap();
    let sql = plan::render_sql(&plan);
    let json = plan::render_json(&plan).to_string();
    assert!(
        !sql.contains("hunter2") && !json.contains("hunter2"),
        "{sql}\n{json}"
    );
    assert!(
        sql.contains("CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (\"user\" 'app');"),
        "{sql}"
    );
    let left_out = "secret option (never copied: set it by hand) (2): \
                    password of user mapping for PUBLIC on server remote, \
                    password_required of user mapping for PUBLIC on server remote";
    assert!(sql.contains(left_out), "{sql}");
    apply(&standin_url, &plan).await.unwrap();
    let after = model(&standin_url, Side::Standin).await.unwrap();
    let again = make_plan(&main, &after, true).unwrap();
    assert!(again.statements.is_empty(), "{}", plan::render_body(&again));
    assert!(!again.is_empty(), "the password is still to be set by hand");
    // Set by hand, to another value: never compared, so the plan is empty.
    support::raw_client(&standin_url)
        .await
        .batch_execute(
            "ALTER USER MAPPING FOR PUBLIC SERVER remote \
             OPTIONS (ADD password 'other', ADD password_required 'false')",
        )
        .await
        .unwrap();
    let set = model(&standin_url, Side::Standin).await.unwrap();
    let plan = make_plan(&main, &set, true).unwrap();
    assert!(plan.is_empty(), "{}", plan::render_body(&plan));
    // The dump leaves it out too, and says so.
    let out = support::run_pgsyncer(&["dump", "--dsn", &main_url]);
    let text = support::output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        text.contains("-- not dumped: ") && text.contains(left_out),
        "{text}"
    );
    for url in [&main_url, &standin_url] {
        drop_database(url).await;
    }
}

/// pgsyncer's own `--fdw-mode` objects on a standin (kept by `--fdw-keep`, or left by a
/// killed run): the server, its user mapping (with main's password) and the staging
/// schemas' foreign tables are no part of the schema: never reported as extra, dropped
/// nor dumped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fdw_mode_objects_are_never_extra_nor_dropped() {
    use pgsyncer::data::strategy::fdw::{SERVER, STAGE_PREFIX};
    let main_url = database("own_fdw_m", "CREATE TABLE public.t (a int);").await;
    let standin_url = database(
        "own_fdw_s",
        &format!(
            "CREATE TABLE public.t (a int);
             CREATE SCHEMA pgsyncer;
             CREATE EXTENSION postgres_fdw SCHEMA pgsyncer;
             CREATE SERVER {SERVER} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'h');
             CREATE USER MAPPING FOR CURRENT_USER SERVER {SERVER}
                 OPTIONS (user 'u', password 'main-password');
             CREATE SCHEMA {STAGE_PREFIX}0;
             CREATE FOREIGN TABLE {STAGE_PREFIX}0.t (a int) SERVER {SERVER};"
        ),
    )
    .await;
    let main = model(&main_url, Side::Main).await.unwrap();
    let standin = model(&standin_url, Side::Standin).await.unwrap();
    assert!(
        standin.foreign_servers.is_empty()
            && standin.user_mappings.is_empty()
            && standin.foreign_tables.is_empty()
            && standin.unmodelled.is_empty(),
        "{standin:?}"
    );
    let plan = make_plan(&main, &standin, true).unwrap();
    assert!(plan.is_empty(), "{}", plan::render_body(&plan));
    let out = support::run_pgsyncer(&["dump", "--dsn", &standin_url, "--all-schemas"]);
    let text = support::output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        !text.contains(SERVER) && !text.contains("main-password"),
        "{text}"
    );
    for url in [&main_url, &standin_url] {
        drop_database(url).await;
    }
}
