//! The connection layer: DSN resolution (URL, key=value, PG* variables, password file,
//! precedence), real logins against the shared cluster, main's read-only sessions, and that
//! no error, Debug output or log line ever shows a password.

use crate::support;

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pgsyncer::conn::{mask_dsn, ConnectError, Defaults, Endpoint, PasswordSource, Side, SslMode};
use pgsyncer::sandbox::{SANDBOX_PASSWORD, SANDBOX_USER};

const T: Duration = Duration::from_secs(10);

/// An environment given as pairs, instead of the process's.
fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

/// Machine defaults that do not depend on who runs the tests.
fn defaults(home: &Path) -> Defaults {
    Defaults {
        os_user: Some("osuser".into()),
        home: Some(home.to_path_buf()),
        socket_dir: "/run/test-socket".into(),
    }
}

fn write_pgpass(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let path = dir.join("pgpass");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

fn parse(dsn: &str, env: &[(&str, &str)], home: &Path) -> Result<Endpoint, ConnectError> {
    Endpoint::parse_with(Side::Main, dsn, T, &env_of(env), &defaults(home))
}

/// Every way the error can be shown to a user or a log.
fn all_renderings(e: &ConnectError) -> String {
    format!("{e}\n{e:?}\n{}", pgsyncer::error::report(e))
}

#[test]
fn url_and_key_value_resolve_to_the_same_settings() {
    let home = tempfile::tempdir().unwrap();
    let url = parse(
        "postgresql://alice:s%40cret@db.example.com:6543/my%20app?sslmode=disable&connect_timeout=7",
        &[],
        home.path(),
    )
    .unwrap();
    let kv = parse(
        "host=db.example.com port=6543 user=alice password='s@cret' dbname='my app' sslmode=disable connect_timeout=7",
        &[],
        home.path(),
    )
    .unwrap();
    for e in [&url, &kv] {
        let r = e.resolved();
        assert_eq!(r.host, "db.example.com");
        assert_eq!(r.port, 6543);
        assert_eq!(r.user, "alice");
        assert_eq!(r.password.as_deref(), Some("s@cret"));
        assert_eq!(r.password_source, PasswordSource::Dsn);
        assert_eq!(r.dbname, "my app");
        assert_eq!(r.sslmode, SslMode::Disable);
        assert_eq!(e.timeout(), Some(Duration::from_secs(7)));
        assert_eq!(e.target(), "db.example.com:6543/my app");
        assert_eq!(e.config().get_password(), Some(&b"s@cret"[..]));
        assert_eq!(e.config().get_application_name(), Some("pgsyncer"));
        // Main's configuration is read-only whoever connects with it.
        assert_eq!(
            e.config().get_options(),
            Some("-c row_security=off -c default_transaction_read_only=on")
        );
        // Debug output never shows the password (tokio-postgres' Config redacts it too).
        let debug = format!("{e:?} {r:?} {:?}", e.config());
        assert!(!debug.contains("s@cret"), "{debug}");
    }
    // The standin is not read-only; a DSN's options are kept on both sides, and every side
    // reads whole tables or fails (row_security=off).
    let standin = Endpoint::parse_with(
        Side::Standin,
        "host=h options='-c work_mem=64MB'",
        T,
        &env_of(&[]),
        &defaults(home.path()),
    )
    .unwrap();
    assert_eq!(
        standin.config().get_options(),
        Some("-c work_mem=64MB -c row_security=off")
    );
    let main = parse("host=h options='-c work_mem=64MB'", &[], home.path()).unwrap();
    assert_eq!(
        main.config().get_options(),
        Some("-c work_mem=64MB -c row_security=off -c default_transaction_read_only=on")
    );
}

#[test]
fn environment_fills_what_the_dsn_leaves_out() {
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PGHOST", "envhost"),
        ("PGPORT", "7777"),
        ("PGUSER", "envuser"),
        ("PGPASSWORD", "envpw"),
        ("PGDATABASE", "envdb"),
        ("PGSSLMODE", "require"),
        ("PGCONNECT_TIMEOUT", "3"),
    ];
    // Nothing in the DSN: everything from the environment.
    let e = parse("", &env, home.path()).unwrap();
    let r = e.resolved();
    assert_eq!(
        (r.host.as_str(), r.port, r.user.as_str(), r.dbname.as_str()),
        ("envhost", 7777, "envuser", "envdb")
    );
    assert_eq!(r.password.as_deref(), Some("envpw"));
    assert_eq!(r.password_source, PasswordSource::Env);
    assert_eq!(r.sslmode, SslMode::Require);
    assert_eq!(e.timeout(), Some(Duration::from_secs(3)));

    // The DSN wins over every variable.
    let e = parse(
        "postgres://u:dsnpw@dsnhost:1234/dsndb?sslmode=disable&connect_timeout=0",
        &env,
        home.path(),
    )
    .unwrap();
    let r = e.resolved();
    assert_eq!(
        (r.host.as_str(), r.port, r.user.as_str(), r.dbname.as_str()),
        ("dsnhost", 1234, "u", "dsndb")
    );
    assert_eq!(r.password.as_deref(), Some("dsnpw"));
    assert_eq!(r.sslmode, SslMode::Disable);
    assert_eq!(
        e.timeout(),
        None,
        "connect_timeout=0 means no limit, as in libpq"
    );

    // Nothing anywhere: libpq's defaults (OS user, dbname = user, port 5432, local socket,
    // sslmode prefer, the caller's timeout).
    let e = parse("", &[], home.path()).unwrap();
    let r = e.resolved();
    assert_eq!(
        (r.host.as_str(), r.port, r.user.as_str(), r.dbname.as_str()),
        ("/run/test-socket", 5432, "osuser", "osuser")
    );
    assert_eq!(r.sslmode, SslMode::Prefer);
    assert!(r.is_socket());
    assert_eq!(e.timeout(), Some(T));
    assert_eq!(r.password_source, PasswordSource::None);

    // Messages show an IPv6 host in brackets, and hostaddr beside the host name.
    let e = parse("postgres://[::1]:5433/x", &[], home.path()).unwrap();
    assert_eq!(e.target(), "[::1]:5433/x");
    let e = parse(
        "host=db.example hostaddr=10.0.0.7 dbname=x",
        &[],
        home.path(),
    )
    .unwrap();
    assert_eq!(e.target(), "db.example:5432/x (10.0.0.7)");
    let e = parse("hostaddr=10.0.0.7 dbname=x", &[], home.path()).unwrap();
    assert_eq!(e.target(), "10.0.0.7:5432/x");

    // dbname defaults to the user actually used (from the DSN here).
    let e = parse("user=bob", &[("PGHOST", "h")], home.path()).unwrap();
    assert_eq!(e.resolved().dbname, "bob");
}

#[test]
fn password_file_matching_wildcards_escapes_and_precedence() {
    let home = tempfile::tempdir().unwrap();
    let file = write_pgpass(
        home.path(),
        "# host:port:db:user:password\n\
         db1:5432:app:alice:exact\n\
         db\\:odd:5432:*:alice:colon\\:pw\n\
         *:*:*:alice:alice-wild\n\
         localhost:5432:*:carol:via-socket\n",
        0o600,
    );
    let file_str = file.to_str().unwrap();
    let env = [("PGPASSFILE", file_str)];
    let pw = |dsn: &str, env: &[(&str, &str)]| {
        let e = parse(dsn, env, home.path()).unwrap();
        (
            e.resolved().password.clone(),
            e.resolved().password_source.clone(),
        )
    };
    let from_file = PasswordSource::File(file.clone());
    assert_eq!(
        pw("host=db1 dbname=app user=alice", &env),
        (Some("exact".into()), from_file.clone())
    );
    assert_eq!(
        pw("host=db1 dbname=other user=alice", &env),
        (Some("alice-wild".into()), from_file.clone())
    );
    assert_eq!(
        pw(r"host=db\:odd user=alice", &env),
        (Some("colon:pw".into()), from_file.clone())
    );
    // A Unix-socket connection matches the host "localhost".
    assert_eq!(
        pw("host=/var/run/postgresql user=carol", &env),
        (Some("via-socket".into()), from_file.clone())
    );
    // No line for this user.
    assert_eq!(pw("host=db1 user=dave", &env), (None, PasswordSource::None));
    // DSN > PGPASSWORD > password file.
    let with_pgpassword = [("PGPASSFILE", file_str), ("PGPASSWORD", "envpw")];
    assert_eq!(
        pw("host=db1 dbname=app user=alice", &with_pgpassword),
        (Some("envpw".into()), PasswordSource::Env)
    );
    assert_eq!(
        pw(
            "host=db1 dbname=app user=alice password=dsnpw",
            &with_pgpassword
        ),
        (Some("dsnpw".into()), PasswordSource::Dsn)
    );
    // passfile= in the DSN wins over PGPASSFILE.
    let other = home.path().join("other");
    std::fs::write(&other, "*:*:*:*:from-passfile-param\n").unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(
        pw(
            &format!("host=db1 user=alice passfile={}", other.display()),
            &env
        ),
        (
            Some("from-passfile-param".into()),
            PasswordSource::File(other.clone())
        )
    );
    // Without PGPASSFILE, ~/.pgpass (home from the defaults).
    std::fs::write(home.path().join(".pgpass"), "*:*:*:*:home-file\n").unwrap();
    std::fs::set_permissions(
        home.path().join(".pgpass"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    assert_eq!(
        pw("host=db1 user=zed", &[]),
        (
            Some("home-file".into()),
            PasswordSource::File(home.path().join(".pgpass"))
        )
    );
    // A file others can read is ignored, with a warning naming it, as libpq does.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let ignored = tracing::subscriber::with_default(subscriber, || {
        pw("host=db1 dbname=app user=alice", &env)
    });
    assert_eq!(ignored, (None, PasswordSource::None));
    let logged = logs.text();
    assert!(logged.contains("WARN"), "{logged}");
    assert!(
        logged.contains(file_str) && logged.contains("group or world access"),
        "{logged}"
    );
}

#[test]
fn bad_connection_strings_name_the_problem_and_never_the_password() {
    let home = tempfile::tempdir().unwrap();
    let cases = [
        ("host=h password=hunter2 colour=blue", "\"colour\""),
        ("postgres://u:hunter2@h/d?colour=blue", "\"colour\""),
        ("postgres://u:hunter2@h:notaport/d", "invalid port"),
        ("postgres://u:hunt/er2@h/d", "%2F"),
        (
            "postgres://u:hunter2@h/d?sslmode=sometimes",
            "invalid sslmode \"sometimes\"",
        ),
        ("host=h password='hunter2", "unterminated"),
        (
            "host=h password=hunter2 port=99999",
            "invalid port \"99999\"",
        ),
        (
            "host=h password=hunter2 connect_timeout=soon",
            "connect_timeout",
        ),
        ("mysql://u:hunter2@h/d", "postgres://"),
        (
            "host=h password=hunter2 sslcrl=/c.pem",
            "\"sslcrl\" is not supported",
        ),
    ];
    for (dsn, expected) in cases {
        let e = parse(dsn, &[], home.path()).unwrap_err();
        let text = all_renderings(&e);
        assert!(text.starts_with("main:"), "{dsn}: {text}");
        assert!(text.contains(expected), "{dsn}: {text}");
        assert!(!text.contains("hunter2"), "{dsn}: {text}");
        assert!(!text.contains("hunt"), "{dsn}: {text}");
    }
    assert_eq!(
        mask_dsn("postgres://u:hunter2@h/d?password=hunter2"),
        "postgres://u:****@h/d?password=****"
    );
}

#[test]
fn verify_modes_without_a_root_certificate_are_refused_clearly() {
    let home = tempfile::tempdir().unwrap();
    let e = parse(
        "host=h sslmode=verify-full password=hunter2",
        &[],
        home.path(),
    )
    .unwrap_err();
    let text = all_renderings(&e);
    assert!(
        text.contains("main (h:5432/osuser)") && text.contains("sslrootcert"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    // ~/.postgresql/root.crt is the default root certificate, as in libpq; a bad one is
    // reported with its path.
    std::fs::create_dir(home.path().join(".postgresql")).unwrap();
    std::fs::write(home.path().join(".postgresql/root.crt"), "garbage\n").unwrap();
    let e = parse("host=h sslmode=verify-ca", &[], home.path()).unwrap_err();
    assert!(e.to_string().contains("root.crt"), "{e}");
}

#[tokio::test]
async fn closed_port_fails_fast_naming_main_and_the_address_without_the_password() {
    let started = Instant::now();
    let endpoint = Endpoint::parse(
        Side::Main,
        "postgres://u:secret@127.0.0.1:1/x",
        Duration::from_secs(5),
    )
    .unwrap();
    let err = match endpoint.connect().await {
        Ok(_) => panic!("connected to port 1"),
        Err(e) => e,
    };
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    let text = all_renderings(&err);
    assert!(text.contains("main"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(text.contains("/x"), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

#[tokio::test]
async fn silent_server_hits_the_connect_timeout() {
    // A listener that never answers: the TCP handshake completes, the startup never does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let endpoint = Endpoint::parse_with(
        Side::Standin,
        &format!("postgres://u:secret@127.0.0.1:{port}/x?sslmode=disable"),
        Duration::from_secs(1),
        &env_of(&[]),
        &Defaults::default(),
    )
    .unwrap();
    let started = Instant::now();
    let err = match endpoint.connect().await {
        Ok(_) => panic!("connected to a silent listener"),
        Err(e) => e,
    };
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert!(matches!(err, ConnectError::Timeout { .. }), "{err:?}");
    let text = all_renderings(&err);
    assert!(
        text.contains("standin") && text.contains(&format!("127.0.0.1:{port}")),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
    drop(listener);
}

/// Collects every log line written while it is the thread's default subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn cluster_port() -> u16 {
    support::with_cluster(|c| c.port())
}

#[tokio::test]
async fn wrong_password_reports_the_server_message_but_not_the_password() {
    let url = support::fresh_db("conn_auth").await;
    let port = cluster_port();
    let db = url.rsplit('/').next().unwrap().to_string();
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let wrong = "Wr0ng-Passw0rd";
    for dsn in [
        format!("postgres://{SANDBOX_USER}:{wrong}@127.0.0.1:{port}/{db}"),
        format!("host=127.0.0.1 port={port} user={SANDBOX_USER} password={wrong} dbname={db}"),
    ] {
        let endpoint =
            Endpoint::parse_with(Side::Standin, &dsn, T, &env_of(&[]), &Defaults::default())
                .unwrap();
        let err = match endpoint.connect().await {
            Ok(_) => panic!("a wrong password was accepted"),
            Err(e) => e,
        };
        let text = all_renderings(&err);
        assert!(text.contains("standin"), "{text}");
        assert!(text.contains(&format!("127.0.0.1:{port}/{db}")), "{text}");
        assert!(
            text.contains("password authentication failed"),
            "the server's message is kept: {text}"
        );
        assert!(!text.contains(wrong), "{text}");
    }

    // A good login logs the server version, and no line holds the password.
    let good =
        Endpoint::parse_with(Side::Main, &url, T, &env_of(&[]), &Defaults::default()).unwrap();
    let session = good.connect().await.unwrap();
    assert!(session.server_version_num >= 130000);
    drop(session);
    let logged = logs.text();
    assert!(logged.contains("main"), "{logged}");
    assert!(logged.contains("connected to PostgreSQL"), "{logged}");
    assert!(!logged.contains(wrong), "{logged}");
    assert!(!logged.contains(SANDBOX_PASSWORD), "{logged}");
}

#[tokio::test]
async fn login_with_the_password_from_a_password_file() {
    let url = support::fresh_db("conn_pgpass").await;
    let port = cluster_port();
    let db = url.rsplit('/').next().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = write_pgpass(
        dir.path(),
        &format!("127.0.0.1:{port}:*:{SANDBOX_USER}:{SANDBOX_PASSWORD}\n"),
        0o600,
    );
    let env = env_of(&[("PGPASSFILE", file.to_str().unwrap())]);
    let dsn = format!("host=127.0.0.1 port={port} user={SANDBOX_USER} dbname={db}");
    let endpoint =
        Endpoint::parse_with(Side::Standin, &dsn, T, &env, &defaults(dir.path())).unwrap();
    assert_eq!(
        endpoint.resolved().password_source,
        PasswordSource::File(file.clone())
    );
    let session = endpoint.connect().await.unwrap();
    let user: String = session
        .query_one("SELECT current_user::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(user, SANDBOX_USER);

    // The same DSN without the file is refused by the server (it really needs the password).
    let none =
        Endpoint::parse_with(Side::Standin, &dsn, T, &env_of(&[]), &defaults(dir.path())).unwrap();
    assert!(none.connect().await.is_err());
}

#[tokio::test]
async fn main_sessions_are_read_only_and_all_sessions_are_named_pgsyncer() {
    let url = support::fresh_db("conn_ro").await;
    let main = Endpoint::parse(Side::Main, &url, T)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let standin = Endpoint::parse(Side::Standin, &url, T)
        .unwrap()
        .connect()
        .await
        .unwrap();
    assert_eq!(main.side, Side::Main);

    let err = main
        .batch_execute("CREATE TABLE t (id int)")
        .await
        .expect_err("main accepted a CREATE TABLE");
    let db = err.as_db_error().expect("a server error");
    assert_eq!(
        db.code(),
        &tokio_postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION
    );
    assert!(
        db.message().contains("read-only transaction"),
        "{}",
        db.message()
    );

    standin
        .batch_execute("CREATE TABLE t (id int)")
        .await
        .unwrap();
    let read_only: String = standin
        .query_one("SHOW default_transaction_read_only", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(read_only, "off");

    for session in [&main, &standin] {
        let name: String = session
            .query_one("SHOW application_name", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(name, "pgsyncer");
    }
    // Seen from the server too.
    let names: Vec<String> = standin
        .query(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(names.iter().any(|n| n == "pgsyncer"), "{names:?}");
}

#[tokio::test]
async fn the_binary_never_prints_a_password() {
    let url = support::fresh_db("conn_bin").await;
    let run = |args: &[&str]| {
        let out = std::process::Command::new(support::pgsyncer_bin())
            .args(args)
            .env_remove("PGSYNCER_LOG")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    };
    // Closed port, bad parameter, wrong password: exit 1, side and address named.
    let (code, text) = run(&["dump", "-vvv", "--dsn", "postgres://u:secret@127.0.0.1:1/x"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("127.0.0.1:1/x") && !text.contains("secret"),
        "{text}"
    );
    let (code, text) = run(&["dump", "--dsn", "host=h password=secret colour=x"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("\"colour\"") && !text.contains("secret"),
        "{text}"
    );
    let wrong = url.replace(SANDBOX_PASSWORD, "not-the-secret");
    let (code, text) = run(&["dump", "-vvv", "--dsn", &wrong]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains("not-the-secret"), "{text}");
    // A good connection with every log level on: the version is logged, the password not.
    let (code, text) = run(&["dump", "-vvv", "--dsn", &url]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("connected to PostgreSQL"), "{text}");
    assert!(!text.contains(SANDBOX_PASSWORD), "{text}");
}
