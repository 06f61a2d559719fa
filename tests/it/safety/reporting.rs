//! What a user is told: a failed table once, with the server's message, detail and hint;
//! a summary even when a connection dies; log levels that differ and carry no colour codes
//! or passwords when piped; `--show-keys` in incremental mode.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::data_pair::{pair, Pair};
use crate::support::{pgsyncer_bin, raw_client};

fn sync_command(p: &Pair, extra: &[&str]) -> Command {
    let mut cmd = Command::new(pgsyncer_bin());
    cmd.args(["--sync-schema=false", "--maindsn", &p.main_url])
        .args(["--standindsn", &p.standin_url])
        .args(extra)
        .env_remove("PGSYNCER_LOG");
    cmd
}

fn run(p: &Pair, extra: &[&str]) -> Output {
    sync_command(p, extra).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const TWO_TABLES: &str = "
    CREATE TABLE fine (id int PRIMARY KEY, v int);
    CREATE TABLE picky (id int PRIMARY KEY, v int);";

#[tokio::test]
async fn a_failed_table_is_reported_once_with_the_servers_message_and_detail() {
    let main_rows = "
        INSERT INTO fine SELECT g, g FROM generate_series(1, 100) g;
        INSERT INTO picky SELECT g, -g FROM generate_series(1, 100) g;";
    // The standin's CHECK refuses main's rows; a row there makes it a comparison, not a copy.
    let p = pair(
        "report_once",
        &format!("{TWO_TABLES}{main_rows}"),
        "CREATE TABLE fine (id int PRIMARY KEY, v int);
         CREATE TABLE picky (id int PRIMARY KEY,
             v int CONSTRAINT v_positive CHECK (v > 0));
         INSERT INTO picky VALUES (1000, 5);",
    )
    .await;
    let out = run(&p, &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let naming: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("public.picky"))
        .collect();
    assert_eq!(naming.len(), 1, "the table named once on stderr:\n{stderr}");
    assert!(stderr.contains("v_positive"), "{stderr}");
    assert!(stderr.contains("SQLSTATE 23514"), "{stderr}");
    assert!(stderr.contains("detail: Failing row contains"), "{stderr}");
    assert!(!stderr.contains("db error"), "{stderr}");
    assert!(
        stderr.lines().all(|l| l.chars().count() < 400),
        "statements are shortened:\n{stderr}"
    );
    // The summary marks the table but does not repeat the error.
    assert!(
        stdout.contains("FAILED (rolled back): public.picky"),
        "{stdout}"
    );
    assert!(!stdout.contains("v_positive"), "{stdout}");
    assert_eq!(
        crate::support::data_pair::checksum(&p.standin, "fine")
            .await
            .0,
        100
    );
}

#[tokio::test]
async fn a_dropped_connection_still_prints_the_summary_and_names_the_table() {
    let rows = "
        INSERT INTO a_first SELECT g FROM generate_series(1, 3000) g;
        INSERT INTO m_slow SELECT g FROM generate_series(1, 300) g;
        INSERT INTO z_last SELECT g FROM generate_series(1, 30) g;";
    let tables = "
        CREATE TABLE a_first (id int PRIMARY KEY);
        CREATE TABLE m_slow (id int PRIMARY KEY);
        CREATE TABLE z_last (id int PRIMARY KEY);
        CREATE SEQUENCE counter;";
    // Writing m_slow on the standin sleeps: the test ends pgsyncer's standin sessions then.
    let slow = "
        CREATE FUNCTION nap() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$;
        CREATE TRIGGER nap AFTER INSERT ON m_slow
            FOR EACH STATEMENT EXECUTE FUNCTION nap();";
    let p = pair(
        "conn_dies",
        &format!("{tables}{rows}"),
        &format!("{tables}{slow}"),
    )
    .await;
    let child = sync_command(&p, &["--workers", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let watcher = raw_client(&p.standin_url).await;
    let started = Instant::now();
    loop {
        let napping: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event = 'PgSleep'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if napping > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never reached m_slow"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    watcher
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'pgsyncer'",
        )
        .await
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("key ranges"),
        "the summary is printed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("FAILED (rolled back): public.m_slow"),
        "{stdout}"
    );
    assert!(
        stderr.contains("table public.m_slow") && stderr.contains("failed (public.m_slow)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("sql/") && !stderr.contains(".sql"),
        "{stderr}"
    );
    assert!(
        !stdout.contains("sql/") && !stderr.contains("db error"),
        "{stderr}"
    );
}

#[tokio::test]
async fn verbosity_levels_differ_and_piped_logs_have_no_colour_codes() {
    let p = pair(
        "verbosity",
        &format!("{TWO_TABLES} INSERT INTO fine VALUES (1, 1);"),
        TWO_TABLES,
    )
    .await;
    let password = pgsyncer::sandbox::SANDBOX_PASSWORD;
    let mut lengths = Vec::new();
    for flag in ["-v", "-vv", "-vvv"] {
        let out = run(&p, &[flag]);
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{flag}: {stderr}");
        assert!(
            !stderr.contains("\x1b["),
            "{flag}: colour codes in a pipe:\n{stderr}"
        );
        assert!(!stderr.contains(password), "{flag}: {stderr}");
        assert!(
            stderr.contains("public.fine"),
            "{flag}: each table's outcome:\n{stderr}"
        );
        let statement = stderr.lines().any(|l| l.contains(" ms: SELECT"));
        assert_eq!(
            statement,
            flag != "-v",
            "{flag}: statements at debug only:\n{stderr}"
        );
        let protocol = stderr.contains("executing statement");
        assert_eq!(protocol, flag == "-vvv", "{flag}: driver log at trace only");
        lengths.push(stderr.len());
    }
    assert!(
        lengths[0] < lengths[1] && lengths[1] < lengths[2],
        "{lengths:?}"
    );
    // PGSYNCER_LOG overrides -v.
    let out = sync_command(&p, &["-vv"])
        .env("PGSYNCER_LOG", "warn")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains(" ms: "), "{stderr}");
}

#[tokio::test]
async fn show_keys_lists_updated_keys_in_incremental_mode() {
    use pgsyncer::data::incremental::IncrementalOptions;
    use pgsyncer::data::Options;
    let schema = "CREATE TABLE items (id int PRIMARY KEY, note text,
                      updated_at timestamptz NOT NULL DEFAULT now());";
    let p = pair(
        "incr_keys",
        &format!("{schema} INSERT INTO items (id, note) SELECT g, 'n' || g FROM generate_series(1, 50) g;"),
        schema,
    )
    .await;
    let options = || Options {
        incremental: Some(IncrementalOptions {
            column: "updated_at".into(),
            last_sync_time: None,
            margin_seconds: 0.0,
            deletes: true,
        }),
        show_keys: 10,
        ..Options::default()
    };
    // The first run records the watermark; then main updates two rows, adds one, deletes one.
    p.sync_with(options()).await;
    p.main
        .batch_execute(
            "UPDATE items SET note = 'changed', updated_at = now() + interval '1 minute'
                 WHERE id IN (7, 9);
             INSERT INTO items (id, note, updated_at) VALUES (51, 'new', now() + interval '1 minute');
             DELETE FROM items WHERE id = 3;",
        )
        .await
        .unwrap();
    let summary = p.sync_with(options()).await;
    let t = crate::support::data_pair::row(&summary, "public.items");
    assert_eq!(
        (t.inserted, t.updated, t.deleted),
        (1, 2, 1),
        "{}",
        summary.render()
    );
    let mut updated = t.keys.updated.clone();
    updated.sort();
    assert_eq!(updated, [["7"], ["9"]], "{}", summary.render());
    assert_eq!(t.keys.inserted, [["51"]], "{}", summary.render());
    assert_eq!(t.keys.deleted, [["3"]], "{}", summary.render());
    assert!(
        summary.render().contains("updated (2): "),
        "{}",
        summary.render()
    );
}

#[tokio::test]
async fn the_summary_quotes_table_names_as_sql_does() {
    let schema = r#"CREATE TABLE "Orders" (id int PRIMARY KEY); CREATE TABLE "select" (id int PRIMARY KEY);"#;
    let p = pair(
        "quoted_names",
        &format!(r#"{schema} INSERT INTO "Orders" VALUES (1); INSERT INTO "select" VALUES (1);"#),
        schema,
    )
    .await;
    let out = run(&p, &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains(r#"public."Orders""#), "{stdout}");
    assert!(stdout.contains(r#"public."select""#), "{stdout}");
    assert!(stdout.contains("key ranges differing/compared"), "{stdout}");
}
