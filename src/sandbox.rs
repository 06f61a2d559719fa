//! Throwaway PostgreSQL clusters for tests and `pgsyncer demo`.
//!
//! A [`Sandbox`] runs `initdb` into a fresh temporary directory, starts `postgres` on a free
//! loopback port with its socket in its own directory, and removes everything when dropped
//! (including during a panic's unwinding). `initdb` and `postgres` refuse to run as root, so
//! when we are root both run as the unprivileged user `nobody`, which then owns the data
//! directory.
//!
//! Authentication: trust on the Unix socket, SCRAM password on TCP for the superuser
//! [`SANDBOX_USER`] with password [`SANDBOX_PASSWORD`], so tests can exercise both paths.

use std::fs;
use std::io;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Superuser created by `initdb` in every sandbox.
pub const SANDBOX_USER: &str = "postgres";
/// Password of [`SANDBOX_USER`] for TCP connections.
pub const SANDBOX_PASSWORD: &str = "sandbox-pw";

/// The unprivileged account that runs the server when we are root.
const UNPRIVILEGED_UID: u32 = 65534;
const UNPRIVILEGED_GID: u32 = 65534;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no PostgreSQL server binaries found: set PGSYNCER_PG_BINDIR, put initdb on PATH, or install the postgresql package")]
    NoBinaries,
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("{program} failed ({status}):\n{output}")]
    Command {
        program: String,
        status: String,
        output: String,
    },
    #[error("postgres did not become ready within {seconds} s; server log:\n{log}")]
    NotReady { seconds: u64, log: String },
    #[error("{path} (mode {mode:o}) is not reachable by user nobody, who runs the server binaries when we are root: keep them in a world-readable directory such as /var/cache/pgsyncer/pg (scripts/fetch-pg.sh does)")]
    NotReachableByServer { path: PathBuf, mode: u32 },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> SandboxError {
    let what = what.into();
    move |source| SandboxError::Io { what, source }
}

/// How to start a sandbox. `Default` gives a plain cluster.
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    /// Server binaries directory; `None` means [`find_bindir`].
    pub bindir: Option<PathBuf>,
    /// PEM certificate and key: when set, the server starts with `ssl=on`.
    pub tls: Option<TlsFiles>,
    /// Extra `-c name=value` server settings.
    pub settings: Vec<(String, String)>,
    /// Directory to create the cluster's temporary directory in; `None` means the system's
    /// temporary directory (`TMPDIR`).
    pub parent_dir: Option<PathBuf>,
}

/// A server certificate and its private key, PEM encoded.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A running throwaway cluster. Dropping it stops the server and deletes its files.
pub struct Sandbox {
    child: Option<Child>,
    root: Option<tempfile::TempDir>,
    bindir: PathBuf,
    port: u16,
    version: String,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("port", &self.port)
            .field("version", &self.version)
            .finish()
    }
}

/// Where the server binaries are: `PGSYNCER_PG_BINDIR`, else `initdb` on `PATH`, else
/// `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
pub fn find_bindir() -> Result<PathBuf, SandboxError> {
    if let Some(dir) = std::env::var_os("PGSYNCER_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").is_file() {
            return Ok(dir);
        }
        return Err(SandboxError::Io {
            what: format!("PGSYNCER_PG_BINDIR={} has no initdb", dir.display()),
            source: io::Error::from(io::ErrorKind::NotFound),
        });
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
                return Ok(dir);
            }
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && dir.join("initdb").is_file() {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let major = e.file_name().to_str()?.parse::<u32>().ok()?;
                    let bin = e.path().join("bin");
                    bin.join("initdb").is_file().then_some((major, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates
        .pop()
        .map(|(_, dir)| dir)
        .ok_or(SandboxError::NoBinaries)
}

/// When we are root the binaries run as `nobody`: every directory above them must be
/// searchable by others and the programs executable by others. Checked up front because
/// the failure otherwise is a bare "Permission denied" from exec (e.g. a cache under /root).
fn check_reachable_by_server(bindir: &Path) -> Result<(), SandboxError> {
    if !running_as_root() {
        return Ok(());
    }
    let bindir =
        fs::canonicalize(bindir).map_err(io_err(format!("resolve {}", bindir.display())))?;
    let programs = ["initdb", "postgres"].map(|p| (bindir.join(p), 0o005));
    let dirs = bindir.ancestors().map(|d| (d.to_path_buf(), 0o001));
    for (path, needed) in dirs.chain(programs) {
        let mode = fs::metadata(&path)
            .map_err(io_err(format!("stat {}", path.display())))?
            .permissions()
            .mode();
        if mode & needed != needed {
            return Err(SandboxError::NotReachableByServer {
                path,
                mode: mode & 0o7777,
            });
        }
    }
    Ok(())
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A command for a server binary, dropped to `nobody` when we are root.
fn server_command(bindir: &Path, program: &str, cwd: &Path) -> Command {
    let mut cmd = Command::new(bindir.join(program));
    cmd.current_dir(cwd)
        .env_remove("PGDATA")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null());
    if running_as_root() {
        cmd.uid(UNPRIVILEGED_UID).gid(UNPRIVILEGED_GID);
    }
    cmd
}

fn chown_for_server(path: &Path) -> Result<(), SandboxError> {
    if running_as_root() {
        std::os::unix::fs::chown(path, Some(UNPRIVILEGED_UID), Some(UNPRIVILEGED_GID))
            .map_err(io_err(format!("chown {}", path.display())))?;
    }
    Ok(())
}

fn write_server_file(path: &Path, contents: &str, mode: u32) -> Result<(), SandboxError> {
    fs::write(path, contents).map_err(io_err(format!("write {}", path.display())))?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(io_err(format!("chmod {}", path.display())))?;
    chown_for_server(path)
}

fn free_port() -> Result<u16, SandboxError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io_err("bind a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io_err("read bound port"))?
        .port();
    Ok(port)
}

fn run_checked(mut cmd: Command, program: &str) -> Result<(), SandboxError> {
    let out = cmd.output().map_err(io_err(format!("run {program}")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(SandboxError::Command {
        program: program.to_string(),
        status: out.status.to_string(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}

impl Sandbox {
    /// Start a plain cluster with the default binaries.
    pub fn start() -> Result<Sandbox, SandboxError> {
        Self::start_with(SandboxOptions::default())
    }

    pub fn start_with(options: SandboxOptions) -> Result<Sandbox, SandboxError> {
        let bindir = match options.bindir.clone() {
            Some(dir) => dir,
            None => find_bindir()?,
        };
        check_reachable_by_server(&bindir)?;
        let parent = options
            .parent_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir);
        let root = tempfile::Builder::new()
            .prefix("pgsyncer-sandbox-")
            .tempdir_in(&parent)
            .map_err(io_err(format!(
                "create sandbox directory in {}",
                parent.display()
            )))?;
        let base = root.path().to_path_buf();
        fs::set_permissions(&base, fs::Permissions::from_mode(0o700))
            .map_err(io_err("chmod sandbox directory"))?;
        chown_for_server(&base)?;
        let pwfile = base.join("pwfile");
        write_server_file(&pwfile, SANDBOX_PASSWORD, 0o600)?;

        let data = base.join("data");
        let mut initdb = server_command(&bindir, "initdb", &base);
        initdb
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                SANDBOX_USER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .args(["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        run_checked(initdb, "initdb")?;

        let socket_dir = base.join("socket");
        fs::create_dir(&socket_dir).map_err(io_err("create socket directory"))?;
        chown_for_server(&socket_dir)?;

        let mut settings: Vec<(String, String)> = vec![
            ("listen_addresses".into(), "127.0.0.1".into()),
            (
                "unix_socket_directories".into(),
                socket_dir.display().to_string(),
            ),
            // A throwaway cluster needs no durability; these make tests several times faster.
            ("fsync".into(), "off".into()),
            ("synchronous_commit".into(), "off".into()),
            ("full_page_writes".into(), "off".into()),
            ("max_connections".into(), "200".into()),
            ("shared_buffers".into(), "128MB".into()),
            ("max_wal_size".into(), "2GB".into()),
            ("logging_collector".into(), "off".into()),
        ];
        if let Some(tls) = &options.tls {
            write_server_file(&data.join("server.crt"), &tls.cert_pem, 0o644)?;
            write_server_file(&data.join("server.key"), &tls.key_pem, 0o600)?;
            settings.push(("ssl".into(), "on".into()));
        }
        settings.extend(options.settings.iter().cloned());

        let version = server_version(&bindir)?;
        let mut last_error = None;
        for _attempt in 0..5 {
            let port = free_port()?;
            let log_path = base.join("server.log");
            let log = fs::File::create(&log_path).map_err(io_err("create server log"))?;
            let log_err = log.try_clone().map_err(io_err("clone server log handle"))?;
            let mut postgres = server_command(&bindir, "postgres", &base);
            postgres
                .arg("-D")
                .arg(&data)
                .arg("-p")
                .arg(port.to_string());
            for (name, value) in &settings {
                postgres.arg("-c").arg(format!("{name}={value}"));
            }
            postgres.stdout(log).stderr(log_err);
            let child = postgres.spawn().map_err(io_err("start postgres"))?;
            let mut sandbox = Sandbox {
                child: Some(child),
                root: None,
                bindir: bindir.clone(),
                port,
                version: version.clone(),
            };
            match sandbox.wait_ready(&data, &log_path) {
                Ok(()) => {
                    sandbox.root = Some(root);
                    return Ok(sandbox);
                }
                // Another process may have taken the port between bind and start: retry.
                Err(e) => {
                    sandbox.stop_server();
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or(SandboxError::NoBinaries))
    }

    /// Wait until `postmaster.pid` says the server accepts connections (as `pg_ctl` does).
    fn wait_ready(&mut self, data: &Path, log_path: &Path) -> Result<(), SandboxError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let pidfile = data.join("postmaster.pid");
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(_exited)) = child.try_wait() {
                    break;
                }
            }
            if let Ok(text) = fs::read_to_string(&pidfile) {
                if text.lines().nth(7).map(str::trim) == Some("ready") {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(SandboxError::NotReady {
            seconds: 60,
            log: fs::read_to_string(log_path).unwrap_or_default(),
        })
    }

    /// TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Directory holding the server binaries this sandbox runs.
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// Path of a client program (`pg_dump`, `psql`, …) matching this server: the one beside
    /// the server binaries when there is one, else the bare name (found on `PATH`). Tests use
    /// `pg_dump` as an oracle, and `pg_dump` refuses a server newer than itself, so on the
    /// version matrix it must come from the server's own directory (scripts/fetch-pg.sh puts
    /// it there).
    pub fn client_program(&self, program: &str) -> PathBuf {
        let beside = self.bindir.join(program);
        if beside.is_file() {
            beside
        } else {
            PathBuf::from(program)
        }
    }

    /// The server's version string, e.g. `15.18`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Major version number, e.g. 15.
    pub fn major_version(&self) -> u32 {
        self.version
            .split(['.', ' '])
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0)
    }

    /// Directory of the server's Unix socket.
    pub fn socket_dir(&self) -> PathBuf {
        self.base().join("socket")
    }

    fn base(&self) -> PathBuf {
        self.root
            .as_ref()
            .map(|r| r.path().to_path_buf())
            .unwrap_or_default()
    }

    /// Data directory (for tests that inspect or write server files).
    pub fn data_dir(&self) -> PathBuf {
        self.base().join("data")
    }

    /// The server's log (its standard output and error), for tests that read what it logged.
    pub fn log_path(&self) -> PathBuf {
        self.base().join("server.log")
    }

    /// Password-authenticated TCP URL for database `db`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://{SANDBOX_USER}:{SANDBOX_PASSWORD}@127.0.0.1:{}/{db}",
            self.port
        )
    }

    /// Trust-authenticated Unix-socket key=value DSN for database `db`.
    pub fn socket_dsn(&self, db: &str) -> String {
        format!(
            "host={} port={} user={SANDBOX_USER} dbname={db}",
            self.socket_dir().display(),
            self.port
        )
    }

    /// Create database `name` (over the socket) and return its TCP URL.
    pub async fn create_database(&self, name: &str) -> Result<String, tokio_postgres::Error> {
        let client = self.admin_client().await?;
        client
            .batch_execute(&format!("CREATE DATABASE {}", crate::quote::ident(name)))
            .await?;
        Ok(self.url(name))
    }

    /// A superuser session on the `postgres` database over the Unix socket.
    pub async fn admin_client(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) =
            tokio_postgres::connect(&self.socket_dsn("postgres"), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// Replace the TCP lines of `pg_hba.conf` with `tcp_lines` (e.g. `hostssl all all
    /// 127.0.0.1/32 scram-sha-256`) and reload. Trust on the Unix socket is kept, so
    /// [`Sandbox::admin_client`] keeps working.
    pub async fn set_tcp_hba(&self, tcp_lines: &str) -> Result<(), SandboxError> {
        let text = format!("local all all trust\n{tcp_lines}\n");
        write_server_file(&self.data_dir().join("pg_hba.conf"), &text, 0o600)?;
        let reload = async {
            let client = self.admin_client().await?;
            client.batch_execute("SELECT pg_reload_conf()").await
        };
        reload.await.map_err(|e| SandboxError::Io {
            what: "reload pg_hba.conf".into(),
            source: io::Error::other(e),
        })
    }

    /// Stop the server now (fast shutdown, then kill). Files stay until drop.
    fn stop_server(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id() as libc::pid_t;
        // SIGINT is PostgreSQL's fast shutdown: it ends sessions and exits cleanly.
        // SAFETY: kill with a pid we spawned and still own; no memory is touched.
        unsafe { libc::kill(pid, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match child.try_wait() {
                Ok(Some(_)) => return,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => break,
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_server();
        // TempDir's own drop removes the directory tree (root can remove nobody's files).
        self.root.take();
    }
}

fn server_version(bindir: &Path) -> Result<String, SandboxError> {
    let out = Command::new(bindir.join("postgres"))
        .arg("--version")
        .output()
        .map_err(io_err("run postgres --version"))?;
    // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> "15.18"
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string())
}
