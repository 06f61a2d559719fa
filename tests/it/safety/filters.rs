//! Filters bound every drop (issue 12, item 3): `--clean-extra` leaves alone a standin-only
//! table that `--exclude` (or a missing `--include`) leaves out, or that lives in a schema
//! outside `--schema`, with its rows; it drops the included ones, and `sync` prints every
//! drop it applies. `sync --dry-run` prints the whole schema plan and changes nothing.

use std::process::Output;

use crate::support;

const MAIN: &str = "CREATE TABLE public.t (id int PRIMARY KEY, v text);
INSERT INTO public.t SELECT g, 'v' || g FROM generate_series(1, 10) g;";

/// The standin: main's table, plus standin-only tables with rows: `public.gone` (to be
/// dropped), `public.kept` (excluded), `other.outside` (a schema main lacks), and
/// `scratch.keep` (excluded, alone in a schema main lacks).
const STANDIN: &str = "CREATE TABLE public.t (id int PRIMARY KEY, v text);
CREATE TABLE public.gone (id int PRIMARY KEY);
INSERT INTO public.gone SELECT generate_series(1, 5);
CREATE TABLE public.kept (id int PRIMARY KEY, note text);
INSERT INTO public.kept SELECT g, 'keep me' FROM generate_series(1, 7) g;
CREATE INDEX kept_note ON public.kept (note);
CREATE SCHEMA other;
CREATE TABLE other.outside (id int);
INSERT INTO other.outside SELECT generate_series(1, 3);
CREATE SCHEMA scratch;
CREATE TYPE scratch.mood AS ENUM ('ok');
CREATE TABLE scratch.keep (id int, m scratch.mood);
INSERT INTO scratch.keep VALUES (1, 'ok'), (2, 'ok');";

fn pgsyncer(args: &[&str]) -> Output {
    support::run_pgsyncer(args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Rows of `table` on the standin, or `None` when it does not exist.
async fn rows(client: &tokio_postgres::Client, table: &str) -> Option<i64> {
    let exists: Option<String> = client
        .query_one("SELECT to_regclass($1)::text", &[&table])
        .await
        .unwrap()
        .get(0);
    exists?;
    let row = client
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap();
    Some(row.get(0))
}

async fn schema_exists(client: &tokio_postgres::Client, name: &str) -> bool {
    client
        .query_one(
            "SELECT count(*) > 0 FROM pg_namespace WHERE nspname = $1",
            &[&name],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn clean_extra_drops_only_what_the_filters_select() {
    let p = support::data_pair::pair("filt_clean", MAIN, STANDIN).await;
    let out = pgsyncer(&[
        "sync",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--clean-extra",
        "--exclude",
        "public.kept,scratch.*",
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    // Excluded: kept with its rows and its index; never named in a DROP.
    assert_eq!(rows(&p.standin, "public.kept").await, Some(7), "{err}");
    let index: Option<String> = p
        .standin
        .query_one("SELECT to_regclass('public.kept_note')::text", &[])
        .await
        .unwrap()
        .get(0);
    assert!(index.is_some(), "{err}");
    assert!(!err.contains("DROP TABLE public.kept"), "{err}");
    // Outside --schema: untouched.
    assert_eq!(rows(&p.standin, "other.outside").await, Some(3), "{err}");
    assert!(schema_exists(&p.standin, "other").await);
    // Data phase: the excluded table was not dropped there either.
    assert_eq!(rows(&p.standin, "public.t").await, Some(10), "{err}");
    // Included and in --schema (public, the default): dropped, and said so.
    assert_eq!(rows(&p.standin, "public.gone").await, None, "{err}");
    assert!(
        err.contains("schema: DROP TABLE public.gone  -- HAZARD (deletes data)"),
        "{err}"
    );

    // Every schema now: `other` is selected and main lacks it, so it goes with its table;
    // `scratch` holds only an excluded table, which stays with its schema and its type.
    let out = pgsyncer(&[
        "sync",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--clean-extra",
        "--all-schemas",
        "--exclude",
        "public.kept,scratch.*",
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(rows(&p.standin, "other.outside").await, None, "{err}");
    assert!(!schema_exists(&p.standin, "other").await, "{err}");
    assert!(err.contains("schema: DROP TABLE other.outside"), "{err}");
    assert!(err.contains("schema: DROP SCHEMA other"), "{err}");
    assert_eq!(rows(&p.standin, "scratch.keep").await, Some(2), "{err}");
    assert!(schema_exists(&p.standin, "scratch").await, "{err}");
    assert!(!err.contains("DROP TYPE scratch.mood"), "{err}");
    assert_eq!(rows(&p.standin, "public.kept").await, Some(7), "{err}");
    // What was kept is said, as kept.
    assert!(err.contains("scratch"), "{err}");
}

#[tokio::test]
async fn include_leaves_other_tables_out_of_the_schema_phase() {
    let main = "CREATE TABLE public.t (id int PRIMARY KEY);
        CREATE TABLE public.only_main (id int PRIMARY KEY);";
    let standin = "CREATE TABLE public.t (id int PRIMARY KEY);
        CREATE TABLE public.extra (id int);
        INSERT INTO public.extra VALUES (1), (2);";
    let p = support::data_pair::pair("filt_incl", main, standin).await;
    let out = pgsyncer(&[
        "sync",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--clean-extra",
        "--include",
        "public.t",
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    // Not included: neither dropped nor created.
    assert_eq!(rows(&p.standin, "public.extra").await, Some(2), "{err}");
    assert_eq!(rows(&p.standin, "public.only_main").await, None, "{err}");
    // `plan` takes the same filters and says so in its header.
    let main_table = "CREATE TABLE public.only_main";
    let out = pgsyncer(&[
        "plan",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--clean-extra",
        "--include",
        "public.t",
    ]);
    let plan = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !plan.contains("DROP TABLE") && !plan.contains(main_table),
        "{plan}"
    );
    let unfiltered = pgsyncer(&[
        "plan",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--clean-extra",
    ]);
    let unfiltered = text(&unfiltered.stdout);
    assert!(
        unfiltered.contains("DROP TABLE public.extra") && unfiltered.contains(main_table),
        "{unfiltered}"
    );
}

#[tokio::test]
async fn dry_run_prints_the_whole_schema_plan_and_changes_nothing() {
    let p = support::data_pair::pair("filt_dry", MAIN, STANDIN).await;
    let before = support::pg_dump_schema(&p.standin_url);
    let out = pgsyncer(&[
        "sync",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--clean-extra",
        "--exclude",
        "public.kept",
        "--dry-run",
        "--json",
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    // The plan, on stderr: stdout holds the JSON summary and nothing else.
    assert!(
        err.contains("schema plan (--dry-run: nothing applied):"),
        "{err}"
    );
    assert!(
        err.contains("-- HAZARD (deletes data): drops table public.gone and all its rows\nDROP TABLE public.gone;"),
        "{err}"
    );
    assert!(err.contains("BEGIN;") && err.contains("COMMIT;"), "{err}");
    assert!(!err.contains("public.kept"), "{err}");
    assert!(err.contains("planned, 0 applied"), "{err}");
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(support::pg_dump_schema(&p.standin_url), before);
    assert_eq!(rows(&p.standin, "public.gone").await, Some(5));
}

#[tokio::test]
async fn the_data_phase_drop_does_not_cascade_into_an_excluded_table() {
    let main = "CREATE TABLE public.t (id int PRIMARY KEY);";
    let standin = "CREATE TABLE public.t (id int PRIMARY KEY);
        CREATE TABLE public.gone (id int PRIMARY KEY);
        INSERT INTO public.gone VALUES (1);
        CREATE TABLE public.kept (id int PRIMARY KEY, gone_id int REFERENCES public.gone);
        INSERT INTO public.kept VALUES (1, 1);";
    let p = support::data_pair::pair("filt_casc", main, standin).await;
    let out = pgsyncer(&[
        "sync",
        "--maindsn",
        &p.main_url,
        "--standindsn",
        &p.standin_url,
        "--sync-schema=false",
        "--clean-extra",
        "--exclude",
        "public.kept",
    ]);
    let err = text(&out.stderr);
    // The excluded table's foreign key would have gone with a CASCADE: refused instead.
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("depend"), "{err}");
    assert_eq!(rows(&p.standin, "public.gone").await, Some(1), "{err}");
    let fks: i64 = p
        .standin
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.kept'::regclass AND contype = 'f'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(fks, 1, "{err}");
    assert!(err.contains("data: DROP TABLE public.gone"), "{err}");
}
