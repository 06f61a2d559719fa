//! Names cannot break out of comments (issue 12, item 8): a newline in a standin table's
//! name, or in the name of one of main's objects of a kind pgsyncer does not model, must
//! not turn the rest of a `--` comment of `plan`'s or `dump`'s output into a statement
//! when the file is run with `psql -f`.

use std::process::Command;

use crate::support;

/// A name that, pasted raw after `-- `, ends the comment and drops `victim`.
const HOSTILE: &str = "x\ndrop table victim; --";

fn hostile_ident() -> String {
    format!("\"{}\"", HOSTILE.replace('"', "\"\""))
}

/// Main: tables the standin lacks, plus objects with hostile names: a rule and a text
/// search configuration (synced, so in statements) and an event trigger whose function is
/// in a schema not selected (not synced, so named in the `-- not synced:` header); the
/// victims too when `victims` (so a plan does not drop them as extras).
fn main_sql(victims: bool) -> String {
    let h = hostile_ident();
    let v = if victims {
        "CREATE TABLE public.victim (id int); CREATE TABLE public.victim2 (id int);"
    } else {
        ""
    };
    format!(
        "{v}
         CREATE TABLE public.t (id int PRIMARY KEY);
         CREATE TABLE public.logged (id int);
         CREATE RULE {h} AS ON DELETE TO public.logged DO INSTEAD NOTHING;
         CREATE TEXT SEARCH CONFIGURATION public.\"ts\u{1b}[2J\u{85}\u{2028}\" (COPY = pg_catalog.simple);
         CREATE TABLE public.\"y\r\ndrop table victim2; --\" (id int);
         CREATE SCHEMA other;
         CREATE FUNCTION other.quiet() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
         CREATE EVENT TRIGGER {h} ON ddl_command_end EXECUTE FUNCTION other.quiet();"
    )
}

/// Standin: the victims, main's table with the rule, and a standin-only table with a
/// hostile name (listed as extra, or dropped with a HAZARD comment).
fn standin_sql() -> String {
    let h = hostile_ident();
    format!(
        "CREATE TABLE public.victim (id int);
         INSERT INTO public.victim VALUES (1);
         CREATE TABLE public.victim2 (id int);
         CREATE TABLE public.logged (id int);
         CREATE TABLE public.{h} (id int);
         CREATE TABLE public.\"z\u{2028}\u{85}\u{1b}[2J\" (id int);"
    )
}

async fn tables(client: &tokio_postgres::Client) -> Vec<String> {
    client
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn pgsyncer(args: &[&str]) -> std::process::Output {
    let out = Command::new(support::pgsyncer_bin())
        .args(args)
        .env_remove("PGSYNCER_MAINDSN")
        .env_remove("PGSYNCER_STANDINDSN")
        .output()
        .expect("run pgsyncer");
    assert!(
        out.status.success(),
        "pgsyncer {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `psql -v ON_ERROR_STOP=1 -f file` against `url`; its output.
fn psql_file(url: &str, file: &std::path::Path) -> String {
    let out = Command::new(support::pg_program("psql"))
        .args(["-X", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(file)
        .output()
        .expect("run psql");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "psql failed:\n{all}");
    all
}

/// How many statements with command tag `tag` psql reported running.
fn ran(psql_output: &str, tag: &str) -> usize {
    psql_output.lines().filter(|l| *l == tag).count()
}

async fn plan_file_runs_only_its_statements(clean_extra: bool) {
    let label = if clean_extra { "cmt_clean" } else { "cmt_keep" };
    let p = support::data_pair::pair(label, &main_sql(true), &standin_sql()).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.sql");
    let mut args = vec![
        "plan",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--out",
        file.to_str().unwrap(),
    ];
    if clean_extra {
        args.push("--clean-extra");
    }
    let out = pgsyncer(&args);
    let plan = std::fs::read_to_string(&file).unwrap();
    // The names are in the file, made inert, and every comment line stays a comment.
    assert!(plan.contains("x\\ndrop table victim; --"), "{plan}");
    assert!(plan.contains("\\u{2028}\\u{85}\\u{1b}[2J"), "{plan}");
    // The warning on stderr is inert too: no raw control character from a name.
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("x\\ndrop table victim; --"), "{err}");
    assert!(
        !err.contains("\u{1b}[2J") && !err.contains('\u{85}'),
        "{err}"
    );
    let before = tables(&p.standin).await;
    let log = psql_file(&p.standin_url, &file);
    let after = tables(&p.standin).await;
    // Only the plan's statements ran: main's two tables created, the hostile extras
    // dropped only with --clean-extra, and nothing else touched.
    let mut expected: Vec<String> = before
        .iter()
        .filter(|t| !clean_extra || !(t.starts_with("x\n") || t.starts_with('z')))
        .cloned()
        .chain(["t".to_string(), "y\r\ndrop table victim2; --".to_string()])
        .collect();
    expected.sort();
    let mut after_sorted = after.clone();
    after_sorted.sort();
    assert_eq!(after_sorted, expected, "psql ran:\n{log}\nplan:\n{plan}");
    assert!(after.contains(&"victim".to_string()), "{log}");
    assert!(after.contains(&"victim2".to_string()), "{log}");
    assert_eq!(
        ran(&log, "DROP TABLE"),
        if clean_extra { 2 } else { 0 },
        "{log}"
    );
    assert_eq!(ran(&log, "CREATE TABLE"), 2, "{log}");
    let rows: i64 = p
        .standin
        .query_one("SELECT count(*) FROM public.victim", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn a_plan_with_hostile_names_runs_only_its_statements() {
    plan_file_runs_only_its_statements(false).await;
}

#[tokio::test]
async fn a_clean_extra_plan_with_hostile_names_runs_only_its_statements() {
    plan_file_runs_only_its_statements(true).await;
}

#[tokio::test]
async fn a_dump_with_hostile_names_in_its_header_loads_without_side_effects() {
    let p = support::data_pair::pair(
        "cmt_dump",
        &main_sql(false),
        "CREATE TABLE public.victim (id int); INSERT INTO public.victim VALUES (1);
         CREATE TABLE public.victim2 (id int);",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.sql");
    pgsyncer(&[
        "dump",
        "--dsn",
        &p.main_url,
        "--out",
        file.to_str().unwrap(),
    ]);
    let dump = std::fs::read_to_string(&file).unwrap();
    assert!(dump.contains("-- not dumped:"), "{dump}");
    assert!(dump.contains("x\\ndrop table victim; --"), "{dump}");
    // Load main's dump into the other database, which holds the victims and nothing else.
    let log = psql_file(&p.standin_url, &file);
    let mut after = tables(&p.standin).await;
    after.sort();
    let mut expected = vec![
        "logged".to_string(),
        "t".to_string(),
        "victim".to_string(),
        "victim2".to_string(),
        "y\r\ndrop table victim2; --".to_string(),
    ];
    expected.sort();
    assert_eq!(after, expected, "psql ran:\n{log}\ndump:\n{dump}");
    assert_eq!(ran(&log, "DROP TABLE"), 0, "{log}");
    let rows: i64 = p
        .standin
        .query_one("SELECT count(*) FROM public.victim", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}
