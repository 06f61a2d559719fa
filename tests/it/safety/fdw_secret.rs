//! Main's password in `--fdw-mode` (issue 12, item 4). On a cluster of its own that logs
//! every statement (`log_statement = all`, `log_min_duration_statement = 0`) and keeps them
//! in `pg_stat_statements`, with a standin role that is not a superuser and main reached by
//! password: the password is in no server log, no kept statement and no output of pgsyncer
//! at any verbosity; SIGINT and SIGTERM stop a run, roll it back and remove every FDW object
//! (exit 130 / 143); after SIGKILL the next `diff` or `sync --dry-run` removes what was
//! left, and a live run's objects are left alone.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use pgsyncer::sandbox::{Sandbox, SandboxOptions};
use tokio_postgres::Client;

use crate::support::pgsyncer_bin;

/// Main's password: distinctive, so any occurrence anywhere is this leak.
const SECRET: &str = "Fdw-Secret-q8Zr41x";
const READER: &str = "fdw_reader";
const STANDIN_ROLE: &str = "fdw_standin";
const STANDIN_PASSWORD: &str = "standin-pw-1";
const MAIN_DB: &str = "fdw_main";
const STANDIN_DB: &str = "fdw_standin_db";

/// A cluster of its own holding main and standin (two databases), as the module says.
struct Setup {
    cluster: Sandbox,
    main_url: String,
    standin_url: String,
    /// Superuser sessions (over the socket) on each database.
    main: Client,
    standin: Client,
}

async fn superuser(cluster: &Sandbox, db: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(&cluster.socket_dsn(db), tokio_postgres::NoTls)
        .await
        .expect("connect over the socket");
    tokio::spawn(conn);
    // The test's own statements stay out of the log and the statistics it inspects.
    client
        .batch_execute(
            "SET log_statement = 'none'; SET log_min_duration_statement = -1; \
             SET pg_stat_statements.track = 'none'",
        )
        .await
        .expect("quiet superuser session");
    client
}

async fn setup(main_sql: &str, standin_sql: &str) -> Setup {
    let settings = [
        ("log_statement", "all"),
        ("log_min_duration_statement", "0"),
        ("shared_preload_libraries", "pg_stat_statements"),
    ];
    let cluster = Sandbox::start_with(SandboxOptions {
        settings: settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..SandboxOptions::default()
    })
    .expect("start a logging cluster");
    let admin = superuser(&cluster, "postgres").await;
    for sql in [
        format!("CREATE ROLE {READER} LOGIN PASSWORD '{SECRET}'"),
        format!("CREATE ROLE {STANDIN_ROLE} LOGIN PASSWORD '{STANDIN_PASSWORD}'"),
        format!("CREATE DATABASE {MAIN_DB}"),
        format!("CREATE DATABASE {STANDIN_DB} OWNER {STANDIN_ROLE}"),
        "CREATE EXTENSION pg_stat_statements".to_string(),
    ] {
        admin.batch_execute(&sql).await.expect(&sql);
    }
    let main = superuser(&cluster, MAIN_DB).await;
    main.batch_execute(main_sql).await.expect("load main");
    main.batch_execute(&format!(
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}"
    ))
    .await
    .unwrap();
    // postgres_fdw is not a trusted extension: a superuser installs it once and lets the
    // standin's role use it; the role owns the database and its tables.
    let standin = superuser(&cluster, STANDIN_DB).await;
    standin
        .batch_execute(&format!(
            "CREATE EXTENSION postgres_fdw; GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO {STANDIN_ROLE}"
        ))
        .await
        .unwrap();
    let port = cluster.port();
    let main_url = format!("postgres://{READER}:{SECRET}@127.0.0.1:{port}/{MAIN_DB}");
    let standin_url =
        format!("postgres://{STANDIN_ROLE}:{STANDIN_PASSWORD}@127.0.0.1:{port}/{STANDIN_DB}");
    let owner = crate::support::raw_client(&standin_url).await;
    owner
        .batch_execute(standin_sql)
        .await
        .expect("load standin");
    admin
        .batch_execute("SELECT pg_stat_statements_reset()")
        .await
        .unwrap();
    Setup {
        cluster,
        main_url,
        standin_url,
        main,
        standin,
    }
}

impl Setup {
    /// `pgsyncer ARGS --maindsn … --standindsn …`, no schema phase, quiet unless told.
    fn pgsyncer(&self, args: &[&str]) -> Command {
        let mut c = Command::new(pgsyncer_bin());
        c.args(args)
            .args(["--sync-schema=false", "--maindsn", &self.main_url])
            .args(["--standindsn", &self.standin_url])
            .env_remove("PGSYNCER_LOG")
            .stdin(Stdio::null());
        c
    }

    /// The run's FDW objects on the standin: (servers, user mappings, staging schemas).
    async fn fdw_objects(&self) -> (i64, i64, i64) {
        let r = self
            .standin
            .query_one(
                "SELECT (SELECT count(*) FROM pg_foreign_server WHERE srvname = 'pgsyncer_main'),
                        (SELECT count(*) FROM pg_user_mappings WHERE srvname = 'pgsyncer_main'),
                        (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgsyncer\\_fdw\\_%')",
                &[],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    }

    /// postgres_fdw was installed by the superuser, not pgsyncer: it must stay.
    async fn assert_extension_kept(&self) {
        let n: i64 = self
            .standin
            .query_one(
                "SELECT count(*) FROM pg_extension WHERE extname = 'postgres_fdw'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "the extension pgsyncer did not create was dropped");
    }

    /// Sessions of pgsyncer's on the standin that are still there.
    async fn standin_sessions(&self) -> i64 {
        self.standin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'pgsyncer'",
                &[&STANDIN_DB],
            )
            .await
            .unwrap()
            .get(0)
    }

    /// Wait (up to 60 s) until a run is inside the slow table's load (FDW mode's INSERT).
    async fn wait_until_loading(&self) {
        self.wait_until_running("INSERT INTO%slow%").await
    }

    /// Wait (up to 60 s) until the standin runs a statement `LIKE pattern`.
    async fn wait_until_running(&self, pattern: &str) {
        for _ in 0..600 {
            let n: i64 = self
                .standin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2",
                    &[&STANDIN_DB, &pattern],
                )
                .await
                .unwrap()
                .get(0);
            if n > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the run never started loading table slow");
    }

    async fn count(&self, client: &Client, sql: &str) -> i64 {
        client.query_one(sql, &[]).await.unwrap().get(0)
    }
}

/// Every line of `text` that holds the password.
fn leaks(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains(SECRET)).collect()
}

const ITEMS: &str = "CREATE TABLE items (id int PRIMARY KEY, note text);";

#[tokio::test]
async fn password_reaches_no_log_statistics_or_output() {
    let s = setup(
        &format!("{ITEMS} INSERT INTO items SELECT i, 'n' || i FROM generate_series(1, 50) i;"),
        ITEMS,
    )
    .await;
    let runs: [(&[&str], Option<&str>); 4] = [
        (&["-v"], None),
        (&["-vv"], None),
        (&["-vvv"], None),
        (&[], Some("trace")),
    ];
    for (n, (flags, log)) in runs.into_iter().enumerate() {
        // Rows to move on every run.
        s.main
            .batch_execute(&format!(
                "UPDATE items SET note = 'run {n}' WHERE id % 4 = {n}"
            ))
            .await
            .unwrap();
        let mut run = s.pgsyncer(&["sync", "--fdw-mode", "--json"]);
        run.args(flags);
        if let Some(log) = log {
            run.env("PGSYNCER_LOG", log);
        }
        let out = run.output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(out.status.success(), "{flags:?} {log:?}: {stderr}");
        assert!(stdout.contains("\"fdw-"), "FDW mode ran: {stdout}");
        assert!(
            leaks(&stdout).is_empty() && leaks(&stderr).is_empty(),
            "{flags:?} {log:?} printed the password:\n{:?}\n{:?}",
            leaks(&stdout),
            leaks(&stderr)
        );
        if log.is_some() {
            // tokio-postgres logs every statement it sends at this level: the check counts.
            assert!(stderr.contains("executing"), "{stderr}");
        }
    }
    assert_eq!(s.fdw_objects().await, (0, 0, 0));
    s.assert_extension_kept().await;
    let synced = s
        .count(
            &s.standin,
            "SELECT count(*) FROM items WHERE note LIKE 'run%'",
        )
        .await;
    assert!(synced > 0, "rows moved");

    let log = std::fs::read_to_string(s.cluster.log_path()).unwrap();
    assert!(
        log.contains("IMPORT FOREIGN SCHEMA") && log.contains("duration:"),
        "the server logs pgsyncer's statements:\n{log}"
    );
    assert!(
        leaks(&log).is_empty(),
        "the server log holds the password:\n{}",
        leaks(&log).join("\n")
    );
    // Read all and look here: a query with the password as a parameter would be logged.
    let admin = superuser(&s.cluster, "postgres").await;
    let kept: Vec<String> = admin
        .query("SELECT query FROM pg_stat_statements", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        kept.iter().any(|q| q.contains("IMPORT FOREIGN SCHEMA")),
        "pg_stat_statements keeps pgsyncer's statements: {kept:?}"
    );
    let kept_secret: Vec<&String> = kept.iter().filter(|q| q.contains(SECRET)).collect();
    assert!(
        kept_secret.is_empty(),
        "pg_stat_statements keeps the password: {kept_secret:?}"
    );
}

/// Main: `slow` (200 rows) and `other`; standin: `slow` empty, its inserts slowed by a
/// trigger (50 ms a row: 10 s in all), `other` with older rows.
const SLOW_MAIN: &str = "
CREATE TABLE slow (id int PRIMARY KEY, v text);
INSERT INTO slow SELECT i, 'v' || i FROM generate_series(1, 200) i;
CREATE TABLE other (id int PRIMARY KEY, v text);
INSERT INTO other SELECT i, 'new' || i FROM generate_series(1, 100) i;";
const SLOW_STANDIN: &str = "
CREATE TABLE slow (id int PRIMARY KEY, v text);
CREATE FUNCTION slow_down() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END$$;
CREATE TRIGGER slow_down BEFORE INSERT OR UPDATE ON slow FOR EACH ROW EXECUTE FUNCTION slow_down();
CREATE TABLE other (id int PRIMARY KEY, v text);
INSERT INTO other SELECT i, 'old' || i FROM generate_series(1, 50) i;";

/// Start `pgsyncer ARGS` with its output in files (read by [`finished`]).
fn start(s: &Setup, args: &[&str], dir: &tempfile::TempDir) -> Child {
    let file = |name: &str| std::fs::File::create(dir.path().join(name)).unwrap();
    s.pgsyncer(args)
        .stdout(file("stdout"))
        .stderr(file("stderr"))
        .spawn()
        .unwrap()
}

/// Wait (up to `limit`) for `child` to exit; its status and stderr.
async fn finished(
    child: &mut Child,
    dir: &tempfile::TempDir,
    limit: Duration,
) -> (ExitStatus, String) {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
            return (status, stderr);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
            panic!("pgsyncer did not exit within {limit:?}: {stderr}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn send(child: &Child, signal: libc::c_int) {
    // SAFETY: kill with the pid of a child we spawned and have not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
}

/// `slow` unchanged (the run was stopped inside its load); `other` old or new, never half.
async fn assert_tables_whole(s: &Setup) {
    assert_eq!(s.count(&s.standin, "SELECT count(*) FROM slow").await, 0);
    let (rows, new, old) = {
        let r = s
            .standin
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE v LIKE 'new%'), count(*) FILTER (WHERE v LIKE 'old%') FROM other",
                &[],
            )
            .await
            .unwrap();
        (r.get::<_, i64>(0), r.get::<_, i64>(1), r.get::<_, i64>(2))
    };
    assert!(
        (rows, new, old) == (100, 100, 0) || (rows, new, old) == (50, 0, 50),
        "other is half synced: {rows} rows, {new} new, {old} old"
    );
}

/// A signal in the middle of an FDW load: exit `code` soon (the running statement is
/// cancelled, not waited for), nothing of the run's left on the standin.
async fn stopped_by(signal: libc::c_int, code: i32) {
    let s = setup(SLOW_MAIN, SLOW_STANDIN).await;
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&s, &["sync", "--fdw-mode", "--workers", "2"], &dir);
    s.wait_until_loading().await;
    assert_eq!(s.fdw_objects().await, (1, 1, 1), "the run's objects exist");
    let sent = Instant::now();
    send(&run, signal);
    let (status, stderr) = finished(&mut run, &dir, Duration::from_secs(30)).await;
    let took = sent.elapsed();
    assert_eq!(status.code(), Some(code), "{status:?}: {stderr}");
    // The load had seconds of work left.
    assert!(
        took < Duration::from_secs(6),
        "stopping took {took:?}: {stderr}"
    );
    assert!(leaks(&stderr).is_empty(), "{stderr}");
    assert_eq!(s.fdw_objects().await, (0, 0, 0), "{stderr}");
    s.assert_extension_kept().await;
    assert_eq!(s.standin_sessions().await, 0, "pgsyncer's sessions ended");
    assert_tables_whole(&s).await;
}

#[tokio::test]
async fn sigint_rolls_back_and_removes_the_fdw_objects() {
    stopped_by(libc::SIGINT, 130).await;
}

#[tokio::test]
async fn sigterm_rolls_back_and_removes_the_fdw_objects() {
    stopped_by(libc::SIGTERM, 143).await;
}

/// Not only FDW mode: the default mode's COPY into the slow table is stopped as well.
#[tokio::test]
async fn sigint_stops_the_default_mode_too() {
    let s = setup(SLOW_MAIN, SLOW_STANDIN).await;
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&s, &["sync", "--workers", "2"], &dir);
    s.wait_until_running("COPY%slow%").await;
    let sent = Instant::now();
    send(&run, libc::SIGINT);
    let (status, stderr) = finished(&mut run, &dir, Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(130), "{status:?}: {stderr}");
    assert!(sent.elapsed() < Duration::from_secs(6), "{stderr}");
    assert_eq!(s.standin_sessions().await, 0, "pgsyncer's sessions ended");
    assert_tables_whole(&s).await;
}

/// A run killed with SIGKILL leaves its objects; `next` (without --fdw-mode) removes them.
async fn killed_then(next: &[&str]) {
    let s = setup(SLOW_MAIN, SLOW_STANDIN).await;
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(&s, &["sync", "--fdw-mode", "--workers", "2"], &dir);
    s.wait_until_loading().await;
    send(&run, libc::SIGKILL);
    let (status, _) = finished(&mut run, &dir, Duration::from_secs(10)).await;
    assert_eq!(status.code(), None, "killed");
    assert_eq!(s.fdw_objects().await, (1, 1, 1), "left behind");
    // The killed run's statement ends (within a second from PostgreSQL 14 on; on 13 when
    // its load is done) and its transaction is rolled back.
    for _ in 0..600 {
        if s.standin_sessions().await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        s.standin_sessions().await,
        0,
        "the killed run's sessions ended"
    );
    let out = s.pgsyncer(next).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{next:?}: {stderr}");
    assert!(
        stderr.contains("dropped the postgres_fdw objects"),
        "{stderr}"
    );
    assert_eq!(s.fdw_objects().await, (0, 0, 0), "{next:?}: {stderr}");
    s.assert_extension_kept().await;
    assert_tables_whole(&s).await;
}

#[tokio::test]
async fn after_sigkill_diff_removes_the_leftovers() {
    killed_then(&["diff"]).await;
}

#[tokio::test]
async fn after_sigkill_a_dry_run_removes_the_leftovers() {
    killed_then(&["sync", "--dry-run"]).await;
}

#[tokio::test]
async fn a_live_runs_objects_are_left_alone() {
    let s = setup(SLOW_MAIN, SLOW_STANDIN).await;
    let dir = tempfile::tempdir().unwrap();
    let mut live = start(
        &s,
        &["sync", "--fdw-mode", "--include", "public.slow"],
        &dir,
    );
    s.wait_until_loading().await;
    for other in [
        &["diff", "--include", "public.other"][..],
        &["sync", "--include", "public.other"],
    ] {
        let out = s.pgsyncer(other).output().unwrap();
        assert!(
            out.status.success(),
            "{other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            s.fdw_objects().await,
            (1, 1, 1),
            "{other:?} left the live run's objects"
        );
    }
    send(&live, libc::SIGINT);
    let (status, stderr) = finished(&mut live, &dir, Duration::from_secs(30)).await;
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert_eq!(s.fdw_objects().await, (0, 0, 0), "{stderr}");
}
