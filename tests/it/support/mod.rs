//! Test helpers: one throwaway cluster for the test binary, a fresh database per test.
//!
//! The shared cluster lives in a static, which Rust never drops, so it is stopped and its
//! directory removed from a `libc::atexit` hook that runs when the test binary exits.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, Once};

use pgsyncer::sandbox::{Sandbox, SandboxOptions};

pub mod data_fixtures;
pub mod data_pair;

static CLUSTER: Mutex<Option<Sandbox>> = Mutex::new(None);
static START: Once = Once::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

extern "C" fn stop_cluster() {
    if let Ok(mut guard) = CLUSTER.lock() {
        guard.take();
    }
}

/// `/dev/shm` when it is a tmpfs with room to spare. The shared cluster holds hundreds of
/// test databases (about a thousand files each); on a busy disk, creating and then deleting
/// them took minutes, in memory it takes seconds.
fn memory_backed_dir() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new("/dev/shm");
    let path = std::ffi::CString::new("/dev/shm").ok()?;
    // SAFETY: statvfs writes into the zeroed struct we pass; the path is NUL-terminated.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    let free_bytes = stats.f_bavail as u64 * stats.f_frsize as u64;
    (free_bytes > 4 << 30).then(|| dir.to_path_buf())
}

/// Run `f` with the shared cluster, starting it on first use.
pub fn with_cluster<T>(f: impl FnOnce(&Sandbox) -> T) -> T {
    START.call_once(|| {
        let options = SandboxOptions {
            parent_dir: memory_backed_dir(),
            ..SandboxOptions::default()
        };
        let sandbox = Sandbox::start_with(options).expect("start the shared test cluster");
        *CLUSTER.lock().expect("cluster lock") = Some(sandbox);
        // SAFETY: registering a plain extern "C" function with no captured state.
        unsafe { libc::atexit(stop_cluster) };
    });
    let guard = CLUSTER.lock().expect("cluster lock");
    f(guard.as_ref().expect("cluster started"))
}

/// A fresh, empty database on the shared cluster; returns its password-authenticated URL.
pub async fn fresh_db(label: &str) -> String {
    let n = NEXT_DB.fetch_add(1, Ordering::SeqCst);
    let name = format!("t_{}_{}_{}", label, std::process::id(), n);
    let (url, socket) = with_cluster(|c| (c.url(&name), c.socket_dsn("postgres")));
    let (client, conn) = tokio_postgres::connect(&socket, tokio_postgres::NoTls)
        .await
        .expect("connect to the shared cluster");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    url
}

/// Connect to a URL without pgsyncer's connection layer (for fixtures and checks).
pub async fn raw_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}

/// Path of the pgsyncer binary built for these tests.
pub fn pgsyncer_bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_pgsyncer"))
}

/// The client program (`pg_dump`, `psql`, …) to use against the shared cluster: the one of the
/// server's own version when available (see `Sandbox::client_program`).
pub fn pg_program(program: &str) -> std::path::PathBuf {
    with_cluster(|c| c.client_program(program))
}

/// `pg_dump --schema-only --no-owner --no-privileges` of `url` (an oracle for tests only), with
/// the `\restrict KEY` / `\unrestrict KEY` lines removed: pg_dump (since 13.22/14.19/15.14/
/// 16.10/17.6) writes them with a random key, so two dumps of one database would differ.
pub fn pg_dump_schema(url: &str) -> String {
    let out = std::process::Command::new(pg_program("pg_dump"))
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            url,
        ])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("pg_dump output is UTF-8")
        .lines()
        .filter(|l| !l.starts_with("\\restrict ") && !l.starts_with("\\unrestrict "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Run the pgsyncer binary with `args`, without the DSN variables of the environment.
pub fn run_pgsyncer(args: &[&str]) -> std::process::Output {
    std::process::Command::new(pgsyncer_bin())
        .args(args)
        .env_remove("PGSYNCER_MAINDSN")
        .env_remove("PGSYNCER_STANDINDSN")
        .output()
        .expect("run pgsyncer")
}

/// A run's exit status, stdout and stderr, for an assertion message.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
