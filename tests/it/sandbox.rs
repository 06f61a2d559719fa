//! The sandbox starts a real cluster, accepts TCP password and socket trust logins, and
//! leaves no process or directory behind when dropped.

use crate::support;

use pgsyncer::sandbox::{Sandbox, SANDBOX_PASSWORD, SANDBOX_USER};

fn postgres_running_from(dir: &std::path::Path) -> bool {
    let needle = dir.display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|cmd| String::from_utf8_lossy(&cmd).contains(&needle))
}

#[tokio::test]
async fn sandbox_starts_accepts_both_logins_and_leaves_nothing() {
    let sandbox = tokio::task::spawn_blocking(Sandbox::start)
        .await
        .unwrap()
        .unwrap();
    let data_dir = sandbox.data_dir();
    assert!(data_dir.join("PG_VERSION").is_file());
    assert!(
        sandbox.major_version() >= 13,
        "version {}",
        sandbox.version()
    );

    // TCP with the password.
    let tcp = support::raw_client(&sandbox.url("postgres")).await;
    let one: i32 = tcp.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);

    // TCP with a wrong password is refused: the TCP path really authenticates.
    let wrong = format!(
        "postgres://{SANDBOX_USER}:not-{SANDBOX_PASSWORD}@127.0.0.1:{}/postgres",
        sandbox.port()
    );
    assert!(tokio_postgres::connect(&wrong, tokio_postgres::NoTls)
        .await
        .is_err());

    // Socket with trust.
    let admin = sandbox.admin_client().await.unwrap();
    let url = sandbox.create_database("Weird DB").await.unwrap();
    assert!(url.ends_with("/Weird DB"));
    let n: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = 'Weird DB'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    drop(admin);
    drop(tcp);

    let root = data_dir.parent().unwrap().to_path_buf();
    assert!(postgres_running_from(&data_dir));
    tokio::task::spawn_blocking(move || drop(sandbox))
        .await
        .unwrap();
    assert!(!root.exists(), "sandbox directory left behind");
    assert!(!postgres_running_from(&data_dir), "postgres left running");
}

#[test]
fn sandbox_is_removed_when_a_test_panics() {
    let root = std::sync::Mutex::new(None);
    let result = std::panic::catch_unwind(|| {
        let sandbox = Sandbox::start().unwrap();
        *root.lock().unwrap() = Some(sandbox.data_dir());
        panic!("test failure while the sandbox runs");
    });
    assert!(result.is_err());
    let data_dir = root.lock().unwrap().clone().unwrap();
    assert!(
        !data_dir.exists(),
        "sandbox directory left behind after a panic"
    );
    assert!(
        !postgres_running_from(&data_dir),
        "postgres left running after a panic"
    );
}

#[tokio::test]
async fn fresh_databases_are_isolated() {
    let a = support::fresh_db("iso").await;
    let b = support::fresh_db("iso").await;
    assert_ne!(a, b);
    let ca = support::raw_client(&a).await;
    ca.batch_execute("CREATE TABLE only_in_a (x int)")
        .await
        .unwrap();
    let cb = support::raw_client(&b).await;
    let n: i64 = cb
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'only_in_a'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

/// The pg_dump oracle used by schema tests works against the cluster's version (on the version
/// matrix, pg_dump must not be older than the server) and gives identical output twice.
#[tokio::test]
async fn pg_dump_oracle_reads_the_server_deterministically() {
    let url = support::fresh_db("oracle").await;
    let client = support::raw_client(&url).await;
    client
        .batch_execute("CREATE TABLE t (id int PRIMARY KEY, note text)")
        .await
        .unwrap();
    let server_major: i32 = client
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let sandbox_major = support::with_cluster(|c| c.major_version());
    assert_eq!(
        server_major as u32, sandbox_major,
        "server is not the bindir's version"
    );

    let url2 = url.clone();
    let (first, second) = tokio::task::spawn_blocking(move || {
        (
            support::pg_dump_schema(&url2),
            support::pg_dump_schema(&url2),
        )
    })
    .await
    .unwrap();
    assert!(first.contains("CREATE TABLE public.t"), "{first}");
    assert_eq!(first, second);
}
