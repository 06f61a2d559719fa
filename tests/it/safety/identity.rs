//! Main and standin being one database is refused before anything is written (issue 12,
//! item 2), whatever the spelling of the two DSNs, and for a least-privilege role too; two
//! databases of one cluster stay allowed. Without the check, `sync` against one database ran,
//! created the `pgsyncer` state schema in it and, with an application writing, undid its
//! committed transactions. A standin in recovery (a streaming standby made with
//! `pg_basebackup` of a second, throwaway cluster) is refused too.

use std::process::{Command, Output};

use pgsyncer::sandbox::{SANDBOX_PASSWORD, SANDBOX_USER};

use crate::support::{fresh_db, raw_client, with_cluster};

fn pgsyncer(args: &[&str]) -> Output {
    crate::support::run_pgsyncer(args)
}

fn text(out: &Output) -> String {
    crate::support::output_text(out)
}

/// The database name at the end of a sandbox URL.
fn db_name(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// Ways of writing a DSN for database `db` as `user` (password `password` over TCP; the
/// socket is trust-authenticated).
fn spellings(db: &str, user: &str, password: &str) -> Vec<String> {
    let (port, socket) = with_cluster(|c| (c.port(), c.socket_dir()));
    vec![
        format!("postgres://{user}:{password}@127.0.0.1:{port}/{db}"),
        format!("postgresql://{user}:{password}@localhost:{port}/{db}?sslmode=disable"),
        format!("host=127.0.0.1 port={port} dbname={db} user={user} password={password}"),
        format!(
            "host={} port={port} dbname={db} user={user}",
            socket.display()
        ),
    ]
}

const ROWS: &str = "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO ledger (id, amount) SELECT g, g FROM generate_series(1, 50) g;";

/// Nothing written: no state schema, no FDW objects, the rows as they were.
async fn assert_untouched(url: &str) {
    let c = raw_client(url).await;
    let row = c
        .query_one(
            "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgsyncer%'), \
                    (SELECT count(*) FROM pg_foreign_server), \
                    (SELECT count(*) FROM ledger), (SELECT sum(amount) FROM ledger)",
            &[],
        )
        .await
        .unwrap();
    let (schemas, servers, count, sum): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!((schemas, servers, count, sum), (0, 0, 50, 1275), "{url}");
}

fn assert_refused(out: &Output, main: &str, standin: &str, secret: &str) {
    let all = text(out);
    assert_eq!(out.status.code(), Some(1), "{main} / {standin}: {all}");
    assert!(all.contains("same database"), "{all}");
    assert!(
        all.contains("--maindsn") && all.contains("--standindsn"),
        "{all}"
    );
    assert!(!all.contains(secret), "password printed: {all}");
}

#[tokio::test]
async fn one_database_under_any_spelling_is_refused() {
    let url = fresh_db("same").await;
    raw_client(&url).await.batch_execute(ROWS).await.unwrap();
    let db = db_name(&url).to_string();
    let forms = spellings(&db, SANDBOX_USER, SANDBOX_PASSWORD);
    let runs: [&[&str]; 5] = [
        &[],
        &["sync", "--dry-run"],
        &["diff"],
        &["sync", "--use-updated-at", "--sync-schema=false"],
        &["--fdw-mode"],
    ];
    for (i, main) in forms.iter().enumerate() {
        // Each spelling against the next one (and the last against the first), and itself.
        for standin in [main, &forms[(i + 1) % forms.len()]] {
            for extra in runs {
                let mut args = extra.to_vec();
                args.extend(["--maindsn", main, "--standindsn", standin]);
                let out = pgsyncer(&args);
                assert_refused(&out, main, standin, SANDBOX_PASSWORD);
                assert_untouched(&url).await;
            }
        }
    }
}

#[tokio::test]
async fn two_databases_of_one_cluster_are_allowed() {
    let main = fresh_db("twom").await;
    let standin = fresh_db("twos").await;
    raw_client(&main).await.batch_execute(ROWS).await.unwrap();
    let out = pgsyncer(&["--maindsn", &main, "--standindsn", &standin]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let c = raw_client(&standin).await;
    let n: i64 = c
        .query_one("SELECT count(*) FROM ledger", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 50);
}

/// Roles with no privilege beyond CONNECT, one per side (so neither sees the other's session
/// details in pg_stat_activity), in databases where the server's identity functions are not
/// callable either: the check still tells one database from two.
#[tokio::test]
async fn least_privilege_roles_are_checked_too() {
    let url = fresh_db("lpsame").await;
    let other = fresh_db("lpother").await;
    let pid = std::process::id();
    let (reader, writer) = (format!("idr_{pid}"), format!("idw_{pid}"));
    let admin = raw_client(&url).await;
    admin
        .batch_execute(&format!(
            "CREATE ROLE {reader} LOGIN PASSWORD 'pw-r'; CREATE ROLE {writer} LOGIN PASSWORD 'pw-w'"
        ))
        .await
        .unwrap();
    for db in [&url, &other] {
        raw_client(db)
            .await
            .batch_execute(
                "REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC; \
                 REVOKE EXECUTE ON FUNCTION pg_postmaster_start_time() FROM PUBLIC",
            )
            .await
            .unwrap();
    }
    let (port, _) = with_cluster(|c| (c.port(), c.socket_dir()));
    let main = format!(
        "postgres://{reader}:pw-r@127.0.0.1:{port}/{}",
        db_name(&url)
    );
    let same = format!(
        "host=localhost port={port} dbname={} user={writer} password=pw-w",
        db_name(&url)
    );
    for extra in [&["diff"][..], &["--sync-schema=false"][..]] {
        let mut args = extra.to_vec();
        args.extend(["--maindsn", &main, "--standindsn", &same]);
        let out = pgsyncer(&args);
        assert_refused(&out, &main, &same, "pw-w");
        assert!(!text(&out).contains("pw-r"), "{}", text(&out));
    }
    // Another database of the cluster, same roles: allowed (nothing to compare).
    let two = format!(
        "host=localhost port={port} dbname={} user={writer} password=pw-w",
        db_name(&other)
    );
    let out = pgsyncer(&["diff", "--maindsn", &main, "--standindsn", &two]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// A streaming standby of `primary`, on a Unix socket in its own directory; stopped (and its
/// files removed) when dropped.
struct Standby {
    dir: tempfile::TempDir,
    bindir: std::path::PathBuf,
}

const STANDBY_PORT: &str = "5433";

/// Run a server program as the user the sandbox runs servers as (`nobody` when we are root).
fn as_server_user(bindir: &std::path::Path, program: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(bindir.join(program));
    cmd.env_remove("PGDATA").env("LC_ALL", "C.UTF-8");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    cmd
}

impl Standby {
    /// `None` when no `pg_basebackup` can copy this server: the cached 13 and 18 builds here
    /// ship only the server and a few clients, and the one on `PATH` (15) copies 13 but
    /// refuses a newer server.
    fn start(primary: &pgsyncer::sandbox::Sandbox) -> Option<Standby> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).unwrap();
        }
        // The server's own directory (the sandbox may find it through symlinks elsewhere).
        let bindir = std::fs::canonicalize(primary.bindir().join("postgres"))
            .unwrap()
            .parent()
            .unwrap()
            .to_path_buf();
        let basebackup = primary.client_program("pg_basebackup");
        let client_dir = basebackup.parent().unwrap_or(std::path::Path::new(""));
        let data = dir.path().join("data");
        let out = as_server_user(client_dir, "pg_basebackup")
            .arg("-D")
            .arg(&data)
            .args(["-R", "-X", "stream", "-U", SANDBOX_USER, "-p"])
            .arg(primary.port().to_string())
            .arg("-h")
            .arg(primary.socket_dir())
            .output();
        let out = match out {
            Err(_) => return None,
            Ok(out)
                if String::from_utf8_lossy(&out.stderr).contains("incompatible server version") =>
            {
                return None
            }
            Ok(out) => out,
        };
        assert!(
            out.status.success(),
            "pg_basebackup: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let standby = Standby { dir, bindir };
        let options = format!(
            "-p {STANDBY_PORT} -c listen_addresses='' -c unix_socket_directories={} -c fsync=off -c max_connections=200",
            standby.dir.path().display()
        );
        let out = as_server_user(&standby.bindir, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-w", "-o", &options, "-l"])
            .arg(standby.dir.path().join("log"))
            .arg("start")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(standby.dir.path().join("log")).unwrap_or_default()
        );
        Some(standby)
    }

    fn dsn(&self) -> String {
        format!(
            "host={} port={STANDBY_PORT} user={SANDBOX_USER} dbname=postgres",
            self.dir.path().display()
        )
    }
}

impl Drop for Standby {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bindir, "pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

#[tokio::test]
async fn a_standin_in_recovery_is_refused() {
    let primary = pgsyncer::sandbox::Sandbox::start().unwrap();
    let Some(standby) = Standby::start(&primary) else {
        eprintln!(
            "skipped: no pg_basebackup here can copy this server (PostgreSQL 18 needs its own)"
        );
        return;
    };
    let main = fresh_db("recm").await;
    raw_client(&main).await.batch_execute(ROWS).await.unwrap();
    for extra in [&[][..], &["diff"], &["sync", "--dry-run"]] {
        let mut args = extra.to_vec();
        let standin = standby.dsn();
        args.extend(["--maindsn", &main, "--standindsn", &standin]);
        let out = pgsyncer(&args);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {all}");
        assert!(all.contains("is in recovery"), "{extra:?}: {all}");
    }
    drop(standby);
    drop(primary);
}
