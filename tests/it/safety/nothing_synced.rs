//! No exit 0 when nothing, or the wrong thing, was synced (issue 12, item 7): a `--schema`
//! main lacks, an `--include` pattern matching no table, `--sync-schema=false` with a main
//! table missing on the standin, and a `--last-sync-time` later than main's clock each fail
//! with a clear message before anything is written; `--last-sync-time` without
//! `--use-updated-at` is a usage error. Each ran and exited 0 before.

use std::process::Output;

use crate::support::{fresh_db, raw_client};

fn pgsyncer(args: &[&str]) -> Output {
    crate::support::run_pgsyncer(args)
}

fn text(out: &Output) -> String {
    crate::support::output_text(out)
}

/// Run `args` against `main` and `standin`; it must exit with `code` and say every `part`.
fn assert_fails(main: &str, standin: &str, args: &[&str], code: i32, parts: &[&str]) {
    let mut all = args.to_vec();
    all.extend(["--maindsn", main, "--standindsn", standin]);
    let out = pgsyncer(&all);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {shown}");
    for part in parts {
        assert!(shown.contains(part), "{args:?}: no {part:?} in {shown}");
    }
}

const MAIN: &str = "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE notes (id int PRIMARY KEY, body text);
INSERT INTO ledger (id, amount) SELECT g, g FROM generate_series(1, 20) g;
INSERT INTO notes VALUES (1, 'one');";

/// Main with two tables, an empty standin database.
async fn databases(label: &str) -> (String, String) {
    let main = fresh_db(&format!("{label}_m")).await;
    let standin = fresh_db(&format!("{label}_s")).await;
    raw_client(&main).await.batch_execute(MAIN).await.unwrap();
    (main, standin)
}

/// Relations and schemas on the standin: what a run would have created.
async fn standin_objects(url: &str) -> i64 {
    raw_client(url)
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) \
                  + (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgsyncer%')",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_schema_main_lacks_fails() {
    let (main, standin) = databases("nsschema").await;
    for args in [
        &["--schema", "nosuch"][..],
        &["diff", "--schema", "public,nosuch"],
    ] {
        assert_fails(&main, &standin, args, 1, &["main has no schema nosuch"]);
    }
    assert_eq!(standin_objects(&standin).await, 0);
}

#[tokio::test]
async fn include_patterns_matching_nothing_fail() {
    let (main, standin) = databases("nsinclude").await;
    assert_fails(
        &main,
        &standin,
        &["--include", "ledgr"],
        1,
        &["--include ledgr matched no table"],
    );
    // One good pattern does not hide a misspelt one.
    assert_fails(
        &main,
        &standin,
        &["sync", "--dry-run", "--include", "public.ledger,nots*"],
        1,
        &["--include nots* matched no table"],
    );
    // Patterns that match, but --exclude takes everything away.
    assert_fails(
        &main,
        &standin,
        &["--include", "ledger", "--exclude", "l*"],
        1,
        &["leave no table"],
    );
    assert_eq!(standin_objects(&standin).await, 0);
}

#[tokio::test]
async fn a_table_missing_on_the_standin_without_the_schema_phase_fails() {
    let (main, standin) = databases("nsmissing").await;
    raw_client(&standin)
        .await
        .batch_execute("CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())")
        .await
        .unwrap();
    let before = standin_objects(&standin).await;
    for args in [&["--sync-schema=false"][..], &["diff"]] {
        assert_fails(
            &main,
            &standin,
            args,
            1,
            &["standin lacks 1 table(s)", "public.notes"],
        );
    }
    // Nothing done: not even the table the standin has got its rows.
    let c = raw_client(&standin).await;
    let n: i64 = c
        .query_one("SELECT count(*) FROM ledger", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!((n, standin_objects(&standin).await), (0, before));
    // With the schema phase the table is created and synced.
    let out = pgsyncer(&["--maindsn", &main, "--standindsn", &standin]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test]
async fn a_last_sync_time_after_mains_clock_fails_and_keeps_the_watermark() {
    let (main, standin) = databases("nsclock").await;
    let ok = pgsyncer(&[
        "--use-updated-at",
        "--maindsn",
        &main,
        "--standindsn",
        &standin,
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let watermark = |url: String| async move {
        raw_client(&url)
            .await
            .query_one(
                "SELECT watermark::text FROM pgsyncer.sync_state WHERE table_name = 'ledger'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, String>(0)
    };
    let recorded = watermark(standin.clone()).await;
    raw_client(&main)
        .await
        .batch_execute("UPDATE ledger SET amount = amount + 1000, updated_at = now() WHERE id = 7")
        .await
        .unwrap();
    assert_fails(
        &main,
        &standin,
        &[
            "--use-updated-at",
            "--last-sync-time",
            "2999-01-01 00:00:00",
        ],
        1,
        &["--last-sync-time 2999-01-01", "later than main's clock"],
    );
    assert_eq!(watermark(standin.clone()).await, recorded);
    let amount: i32 = raw_client(&standin)
        .await
        .query_one("SELECT amount FROM ledger WHERE id = 7", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(amount, 7, "the changed row was not touched");
    // A time in main's past is accepted.
    let out = pgsyncer(&[
        "--use-updated-at",
        "--last-sync-time",
        "2000-01-01 00:00:00",
        "--maindsn",
        &main,
        "--standindsn",
        &standin,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test]
async fn last_sync_time_without_use_updated_at_is_a_usage_error() {
    let (main, standin) = databases("nsflags").await;
    for args in [
        &["--last-sync-time", "2024-01-01 00:00:00"][..],
        &["diff", "--last-sync-time", "2024-01-01 00:00:00"],
        &[
            "--use-updated-at=false",
            "--last-sync-time",
            "2024-01-01 00:00:00",
        ],
    ] {
        assert_fails(
            &main,
            &standin,
            args,
            2,
            &["--last-sync-time", "--use-updated-at"],
        );
    }
    assert_eq!(standin_objects(&standin).await, 0);
}
