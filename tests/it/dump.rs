//! `pgsyncer dump` round trips: load a fixture into A, dump A, load the dump into an empty
//! B with `psql -v ON_ERROR_STOP=1`, dump B. The two dumps must be byte-identical, and
//! pg_dump (an oracle only) must see the same schema in A and B. Each dump is snapshotted.
//! One test per fixture so they run in parallel on the shared cluster.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/dump")
        .join(format!("{case}.sql"))
}

fn fixture(case: &str) -> String {
    std::fs::read_to_string(fixture_path(case)).expect("read fixture")
}

/// `pgsyncer dump --dsn url --all-schemas`, via the binary.
fn pgsyncer_dump(url: &str) -> String {
    let out = Command::new(support::pgsyncer_bin())
        .args(["dump", "--dsn", url, "--all-schemas"])
        .output()
        .expect("run pgsyncer dump");
    assert!(
        out.status.success(),
        "pgsyncer dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 dump")
}

/// Load a script with psql, stopping at the first error.
fn psql_load(url: &str, script: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("load.sql");
    std::fs::write(&file, script).expect("write script");
    let out = Command::new(support::pg_program("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(&file)
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql failed: {}\n--- script ---\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// pg_dump's statements, comment lines dropped, sorted (its order of equal-rank objects
/// may follow OIDs, which differ between A and B).
fn sorted_statements(pg_dump: &str) -> Vec<String> {
    let text: String = pg_dump
        .lines()
        .filter(|l| !l.starts_with("--"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut blocks: Vec<String> = text
        .split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    blocks.sort();
    blocks
}

async fn server_version(url: &str) -> i32 {
    let client = support::raw_client(url).await;
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .expect("version");
    row.get(0)
}

/// The minimum `server_version_num` a fixture declares (`-- min_server_version: N`).
fn min_version(script: &str) -> i32 {
    script
        .lines()
        .find_map(|l| l.strip_prefix("-- min_server_version: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The major version the committed snapshots were taken on (the CI's); on other versions
/// (scripts/pg-matrix.sh) the deparsers print some definitions differently, so only the
/// round trip and the pg_dump oracle are checked there.
const SNAPSHOT_MAJOR: i32 = 15;

async fn round_trip(case: &str, script: &str) {
    let a = support::fresh_db(&format!("dump_{case}_a")).await;
    let version = server_version(&a).await;
    if version < min_version(script) {
        eprintln!("skipping {case}: needs a newer server");
        return;
    }
    psql_load(&a, script);
    let dump_a = pgsyncer_dump(&a);
    assert_eq!(
        dump_a,
        pgsyncer_dump(&a),
        "{case}: dump is not deterministic"
    );
    let b = support::fresh_db(&format!("dump_{case}_b")).await;
    psql_load(&b, &dump_a);
    let dump_b = pgsyncer_dump(&b);
    assert_eq!(dump_a, dump_b, "{case}: dump of the copy differs");
    let oracle_a = sorted_statements(&support::pg_dump_schema(&a));
    let oracle_b = sorted_statements(&support::pg_dump_schema(&b));
    let only_a: Vec<&String> = oracle_a.iter().filter(|s| !oracle_b.contains(s)).collect();
    let only_b: Vec<&String> = oracle_b.iter().filter(|s| !oracle_a.contains(s)).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{case}: pg_dump sees different schemas.\n--- only in A ---\n{}\n--- only in B ---\n{}",
        only_a
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
        only_b
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n\n"),
    );
    if version / 10000 != SNAPSHOT_MAJOR {
        return;
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(fixture_path(case));
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(format!("dump_{case}"), dump_a));
}

macro_rules! fixture_tests {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let case = stringify!($case);
                round_trip(case, &fixture(case)).await;
            }
        )*
    };
}

fixture_tests!(
    types,
    tables,
    partitions,
    constraints,
    indexes,
    views,
    functions,
    triggers,
    policies,
    comments,
    identifiers,
    shop,
    modern,
    pg18,
    cycles,
    foreign,
    publications,
    text_search,
    casts,
    operators,
    statistics,
    statistics_expressions,
    rules,
    event_triggers,
);

/// `--schema` limits the dump to the named schemas.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_filter() {
    let a = support::fresh_db("dump_filter").await;
    psql_load(&a, &fixture("shop"));
    let out = Command::new(support::pgsyncer_bin())
        .args(["dump", "--dsn", &a, "--schema", "reporting"])
        .output()
        .expect("run pgsyncer dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains("CREATE SCHEMA reporting;"), "{text}");
    assert!(
        text.contains("CREATE MATERIALIZED VIEW reporting.daily_sales"),
        "{text}"
    );
    assert!(!text.contains("CREATE SCHEMA shop"), "{text}");
    assert!(!text.contains("CREATE TABLE shop."), "{text}");
}

/// `pgsyncer snapshot` writes the model `introspect` reads, and `load_snapshot` gets it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_round_trips() {
    use pgsyncer::catalog::{introspect, load_snapshot, SchemaFilter};
    use pgsyncer::conn::{Endpoint, Side};
    let a = support::fresh_db("dump_snapshot").await;
    psql_load(&a, &fixture("shop"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shop.json");
    let out = Command::new(support::pgsyncer_bin())
        .args(["snapshot", "--dsn", &a, "--all-schemas", "--out"])
        .arg(&path)
        .output()
        .expect("run pgsyncer snapshot");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let loaded = load_snapshot(&path).expect("load snapshot");
    let endpoint =
        Endpoint::parse(Side::Main, &a, std::time::Duration::from_secs(10)).expect("endpoint");
    let session = endpoint.connect().await.expect("connect");
    let live = introspect(&session, &SchemaFilter::All)
        .await
        .expect("introspect");
    assert_eq!(loaded, live);
    assert!(live.tables.len() >= 8, "{:?}", live.tables.keys());
    assert!(!live.dependencies.is_empty());
    // Identity, not OIDs: the same schema in another database gives an equal model.
    let b = support::fresh_db("dump_snapshot_b").await;
    psql_load(&b, &fixture("shop"));
    let endpoint_b =
        Endpoint::parse(Side::Main, &b, std::time::Duration::from_secs(10)).expect("endpoint");
    let session_b = endpoint_b.connect().await.expect("connect");
    let live_b = introspect(&session_b, &SchemaFilter::All)
        .await
        .expect("introspect");
    assert_eq!(live, live_b);
}

/// The functions `CREATE TYPE … AS RANGE` makes (the range's and the multirange's
/// constructors, pg_depend deptype 'i') are not in the model: they come with the type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_constructors_are_left_out() {
    use pgsyncer::catalog::{introspect, SchemaFilter};
    use pgsyncer::conn::{Endpoint, Side};
    let a = support::fresh_db("dump_range_ctor").await;
    psql_load(
        &a,
        "CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);\n\
         CREATE FUNCTION own(floatrange) RETURNS float8 LANGUAGE sql AS 'SELECT lower($1)';",
    );
    let endpoint =
        Endpoint::parse(Side::Main, &a, std::time::Duration::from_secs(10)).expect("endpoint");
    let session = endpoint.connect().await.expect("connect");
    let schema = introspect(&session, &SchemaFilter::All)
        .await
        .expect("introspect");
    assert_eq!(schema.ranges.len(), 1);
    let functions: Vec<String> = schema.functions.keys().map(|id| id.to_string()).collect();
    assert_eq!(
        functions.len(),
        1,
        "only the declared function: {functions:?}"
    );
    assert!(functions[0].contains("own"), "{functions:?}");
}

/// Every fixture in one database, each unqualified one in a schema of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything() {
    let cases = [
        "types",
        "tables",
        "partitions",
        "constraints",
        "indexes",
        "views",
        "functions",
        "triggers",
        "policies",
        "comments",
        "identifiers",
        "shop",
        "cycles",
        "text_search",
        "casts",
        "operators",
    ];
    let mut script = String::from(
        "CREATE EXTENSION citext;\nCREATE EXTENSION btree_gist;\n\
         CREATE EXTENSION pg_trgm;\nCREATE EXTENSION hstore;\n",
    );
    for case in cases {
        script.push_str(&format!(
            "CREATE SCHEMA fx_{case};\nSET search_path = fx_{case}, public;\n"
        ));
        for line in fixture(case).lines() {
            if !line.contains("EXTENSION") {
                script.push_str(line);
                script.push('\n');
            }
        }
        script.push_str("RESET search_path;\n");
    }
    round_trip("everything", &script).await;
}

/// Objects pgsyncer does not model (an operator family, extended statistics on a
/// table of a schema not dumped) are not dumped, and the dump says so: a warning on stderr
/// and a `-- not dumped:` comment at the top that psql reads as a comment. (Fixtures
/// without such objects get no header: their committed snapshots above would change
/// otherwise.) The rule, which is modelled, is dumped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmodelled_objects_are_named_not_dumped() {
    let a = support::fresh_db("dump_unmodelled").await;
    psql_load(
        &a,
        "CREATE TABLE public.t (a int, b int);\n\
         CREATE TABLE public.t_log (a int);\n\
         CREATE RULE keep_log AS ON DELETE TO public.t DO ALSO INSERT INTO public.t_log VALUES (old.a);\n\
         CREATE STATISTICS public.t_ab (dependencies) ON a, b FROM public.t;\n\
         CREATE SCHEMA other;\n\
         CREATE TABLE other.o (a int, b int);\n\
         CREATE STATISTICS public.o_ab (dependencies) ON a, b FROM other.o;\n\
         CREATE OPERATOR FAMILY public.my_ops USING btree;\n",
    );
    let out = Command::new(support::pgsyncer_bin())
        .args(["dump", "--dsn", &a])
        .output()
        .expect("run pgsyncer dump");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let names = [
        "operator family (1): public.my_ops USING btree",
        "statistics (1): public.o_ab",
    ];
    assert!(
        stderr.contains("WARN")
            && stderr.contains("2 object(s) of kinds pgsyncer does not model")
            && names.iter().all(|n| stderr.contains(&format!("\n  {n}"))),
        "{stderr}"
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let header: Vec<&str> = text.lines().take(6).collect();
    assert_eq!(header[0], "-- pgsyncer dump", "{text}");
    assert!(
        header[2].starts_with("-- not dumped: the database holds 2 object(s)"),
        "{text}"
    );
    for n in names {
        assert!(header.contains(&format!("--  {n}").as_str()), "{text}");
    }
    assert_eq!(header[5], "", "{text}");
    assert!(text.contains("CREATE TABLE public.t ("), "{text}");
    assert!(text.contains("CREATE RULE keep_log AS"), "{text}");
    // The comment is only a comment: the dump loads, and gives the modelled objects only.
    let b = support::fresh_db("dump_unmodelled_b").await;
    psql_load(&b, &text);
    let dump_b = pgsyncer_dump(&b);
    assert!(!dump_b.contains("not dumped"), "{dump_b}");
    assert!(dump_b.contains("CREATE TABLE public.t_log ("), "{dump_b}");
}
