//! Connections: DSN parsing, PG* environment fallbacks, `.pgpass`, TLS, session settings.
//!
//! An [`Endpoint`] is a parsed, resolved connection target for one side; it can open any
//! number of [`Session`]s (the data sync opens one per worker). Main's sessions are
//! read-only. No error, `Debug` output or log line produced here contains a password.
//!
//! - [`dsn`]: URL and key=value parsing, [`mask_dsn`].
//! - [`logged`]: the session's client, which logs every statement (secrets masked).
//! - [`resolve`]: DSN > `PG*` variables > password file > defaults, as pure functions.
//! - [`identity`]: proving main and standin are different databases.
//! - [`pgpass`]: the password file's format and permission check.
//! - [`tls`]: `sslmode` / `sslrootcert` on rustls.

pub mod dsn;
pub mod identity;
pub mod live;
pub mod logged;
pub mod pgpass;
pub mod resolve;
pub mod tls;

use std::fmt;
use std::time::Duration;

pub use dsn::{mask_dsn, parse_dsn, DsnParams};
pub use logged::LoggedClient;
pub use resolve::{resolve, Defaults, PasswordSource, Resolved, SslMode};
pub use tls::{RootSource, Verification};

/// Oldest and newest PostgreSQL major versions pgsyncer supports.
pub const SUPPORTED_MAJORS: std::ops::RangeInclusive<i32> = 13..=18;

/// Which database a connection is for; errors and logs name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Main,
    Standin,
    /// A single database given with `--dsn` (dump, snapshot).
    Source,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Main => "main",
            Side::Standin => "standin",
            Side::Source => "database",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The connection string or a `PG*` variable is malformed. `reason` never holds a password.
    #[error("{side}: invalid connection string: {reason}")]
    InvalidDsn { side: Side, reason: String },
    /// TLS cannot be set up as asked (missing root certificate, bad PEM file…).
    #[error("{side} ({target}): TLS: {reason}")]
    Tls {
        side: Side,
        target: String,
        reason: String,
    },
    /// The server refused or the connection failed; the message includes the server's.
    #[error("{side} ({target}): {}", describe_pg_error(.source))]
    Connect {
        side: Side,
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error(
        "{side} ({target}): no connection within {seconds} s (connect_timeout / --connect-timeout)"
    )]
    Timeout {
        side: Side,
        target: String,
        seconds: u64,
    },
}

/// tokio-postgres' own `Display` is only the kind ("db error", "error connecting to
/// server"); the useful part (the server's message, the OS error) is its source.
fn describe_pg_error(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let text = match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    };
    // rustls names certificate problems tersely; say what they mean for sslrootcert.
    if text.contains("UnknownIssuer") {
        format!("{text} (the server's certificate is not signed by the root certificate given by sslrootcert or ~/.postgresql/root.crt)")
    } else if text.contains("not valid for name") {
        format!("{text} (sslmode=verify-full checks the host name; connect by a name the certificate lists, or use sslmode=verify-ca)")
    } else {
        text
    }
}

/// A parsed connection target for one side.
#[derive(Clone)]
pub struct Endpoint {
    side: Side,
    config: tokio_postgres::Config,
    /// `None`: no limit (`connect_timeout=0`).
    timeout: Option<Duration>,
    target: String,
    resolved: Resolved,
    tls: tls::TlsPlan,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({} {})", self.side, self.target)
    }
}

/// An open session with its server's version.
pub struct Session {
    /// Statements run through it are logged at debug level ([`logged`]).
    pub client: LoggedClient,
    /// `server_version_num`, e.g. 150004.
    pub server_version_num: i32,
    pub side: Side,
    /// The connection's id in [`live`].
    live: u64,
}

impl Session {
    /// The connection's id in [`live`] (where Ctrl-C finds what to cancel and clean).
    pub fn live_id(&self) -> u64 {
        self.live
    }
}

impl std::ops::Deref for Session {
    type Target = LoggedClient;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Endpoint {
    /// Parse a URL or key=value DSN for `side`, filling gaps from the process's `PG*`
    /// variables and password file. `timeout` (zero: no limit) applies unless the DSN or
    /// `PGCONNECT_TIMEOUT` sets `connect_timeout`.
    pub fn parse(side: Side, dsn: &str, timeout: Duration) -> Result<Endpoint, ConnectError> {
        Self::parse_with_env(side, dsn, timeout, &process_env)
    }

    /// [`Endpoint::parse`] with `env` in place of the process environment (tests, and
    /// callers that must not depend on it). Machine defaults (OS user, home) still apply.
    pub fn parse_with_env(
        side: Side,
        dsn: &str,
        timeout: Duration,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Endpoint, ConnectError> {
        Self::parse_with(side, dsn, timeout, env, &Defaults::from_os(env))
    }

    /// The fully explicit form: environment lookup and machine defaults given.
    pub fn parse_with(
        side: Side,
        dsn: &str,
        timeout: Duration,
        env: &dyn Fn(&str) -> Option<String>,
        defaults: &Defaults,
    ) -> Result<Endpoint, ConnectError> {
        let invalid = |reason: String| ConnectError::InvalidDsn { side, reason };
        let params = parse_dsn(dsn).map_err(invalid)?;
        let mut resolved = resolve(&params, env, defaults).map_err(invalid)?;
        if resolved.password.is_none() {
            if let Some(path) = resolved.password_file(defaults) {
                match pgpass::read_file(&path) {
                    Ok(text) => resolved.apply_pgpass(&text, path),
                    Err(pgpass::FileProblem::TooOpen { mode }) => tracing::warn!(
                        "password file {} has group or world access (mode {mode:o}); permissions should be u=rw (0600) or less: ignoring it",
                        path.display()
                    ),
                    Err(pgpass::FileProblem::NotAFile) => tracing::warn!(
                        "password file {} is not a plain file: ignoring it",
                        path.display()
                    ),
                    Err(pgpass::FileProblem::Unreadable) => {}
                }
            }
        }
        let target = describe_target(&resolved);
        let tls = tls::plan(
            &tls::TlsSettings {
                sslmode: resolved.sslmode,
                sslrootcert: resolved.sslrootcert.as_deref(),
                sslcert: resolved.sslcert.as_deref(),
                sslkey: resolved.sslkey.as_deref(),
            },
            defaults.home.as_deref(),
            resolved.is_socket(),
        )
        .map_err(|reason| ConnectError::Tls {
            side,
            target: target.clone(),
            reason,
        })?;
        let config = build_config(side, &resolved, &tls).map_err(invalid)?;
        // `--connect-timeout 0`, like `connect_timeout=0`, means no limit.
        let timeout = resolved
            .connect_timeout
            .unwrap_or(Some(timeout).filter(|t| !t.is_zero()));
        Ok(Endpoint {
            side,
            config,
            timeout,
            target,
            resolved,
            tls,
        })
    }

    pub fn side(&self) -> Side {
        self.side
    }

    /// `host:port/dbname`, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The resolved tokio-postgres configuration (host, port, user, password, dbname).
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// The resolved settings and where the password came from. `Debug` hides the password.
    pub fn resolved(&self) -> &Resolved {
        &self.resolved
    }

    /// What TLS will check for this endpoint.
    pub fn tls_verification(&self) -> &Verification {
        &self.tls.verification
    }

    /// Every session from this endpoint waits at most `limit` for a lock (`lock_timeout`,
    /// sent with the connection's startup options like main's read-only setting); zero
    /// leaves the server's setting alone.
    pub fn with_lock_timeout(mut self, limit: Duration) -> Endpoint {
        if !limit.is_zero() {
            let setting = format!("-c lock_timeout={}", limit.as_millis());
            let options = match self.config.get_options() {
                Some(given) => format!("{given} {setting}"),
                None => setting,
            };
            self.config.options(&options);
        }
        self
    }

    /// The connect timeout in force (`None`: no limit).
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Open a session: `application_name=pgsyncer`, read-only on main. Logs the server
    /// version and warns when it is outside [`SUPPORTED_MAJORS`].
    pub async fn connect(&self) -> Result<Session, ConnectError> {
        let connect_error = |source| ConnectError::Connect {
            side: self.side,
            target: self.target.clone(),
            source,
        };
        let connecting = async {
            let first = self.config.connect(self.tls.connector.clone()).await;
            match first {
                // libpq: with sslmode=prefer (or allow) a failed TLS handshake is retried
                // without encryption.
                Err(e)
                    if self.tls.mode == tokio_postgres::config::SslMode::Prefer
                        && e.to_string().starts_with("error performing TLS handshake") =>
                {
                    tracing::warn!(
                        "{} ({}): {}; sslmode={} allows retrying without encryption",
                        self.side,
                        self.target,
                        describe_pg_error(&e),
                        self.resolved.sslmode.as_str()
                    );
                    let mut plain = self.config.clone();
                    plain.ssl_mode(tokio_postgres::config::SslMode::Disable);
                    plain.connect(self.tls.connector.clone()).await
                }
                other => other,
            }
        };
        let (client, connection) = match self.timeout {
            Some(limit) => tokio::time::timeout(limit, connecting).await.map_err(|_| {
                ConnectError::Timeout {
                    side: self.side,
                    target: self.target.clone(),
                    seconds: limit.as_secs(),
                }
            })?,
            None => connecting.await,
        }
        .map_err(connect_error)?;
        let side = self.side;
        // Registered once the backend's pid is known; until then nothing runs on it.
        let (registered, registration) = tokio::sync::oneshot::channel::<live::Registration>();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("{side}: connection closed: {}", describe_pg_error(&e));
            }
            // The connection is closed: it leaves the register only now.
            drop(registration.await);
        });
        let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int, current_setting('server_version'), pg_backend_pid()",
                &[],
            )
            .await
            .map_err(connect_error)?;
        let server_version_num: i32 = row.get(0);
        let server_version: String = row.get(1);
        let registration = live::add(self, row.get(2), client.cancel_token());
        let live = registration.id();
        let _ = registered.send(registration);
        // A killed pgsyncer's statements stop within a second instead of running on, holding
        // their locks (PostgreSQL 14 and later; the setting lets any role check its client).
        if server_version_num >= 140000 {
            client
                .batch_execute("SET client_connection_check_interval = 1000")
                .await
                .map_err(connect_error)?;
        }
        // Debug, not info: the data sync opens a session per worker and side.
        tracing::debug!(
            "{side} ({}): connected to PostgreSQL {server_version} as {}{}",
            self.target,
            self.resolved.user,
            match &self.resolved.password_source {
                PasswordSource::File(path) => format!(", password from {}", path.display()),
                _ => String::new(),
            }
        );
        if let Some(warning) = unsupported_version(server_version_num, &server_version) {
            tracing::warn!("{side} ({}): {warning}", self.target);
        }
        Ok(Session {
            client: LoggedClient::new(client, side),
            server_version_num,
            side,
            live,
        })
    }
}

/// `host:port/dbname` for messages; an IPv6 host in brackets, and the address in parentheses
/// when `hostaddr` differs from the host name.
fn describe_target(r: &Resolved) -> String {
    let host = if r.host.contains(':') && !r.host.starts_with('/') {
        format!("[{}]", r.host)
    } else {
        r.host.clone()
    };
    let addr = match r.hostaddr {
        Some(addr) if r.host_given && addr.to_string() != r.host => format!(" ({addr})"),
        _ => String::new(),
    };
    format!("{host}:{}/{}{addr}", r.port, r.dbname)
}

/// The warning to give for a server outside [`SUPPORTED_MAJORS`], if it is.
pub fn unsupported_version(server_version_num: i32, server_version: &str) -> Option<String> {
    let major = server_version_num / 10000;
    (!SUPPORTED_MAJORS.contains(&major)).then(|| {
        format!(
            "PostgreSQL {server_version} is not supported (pgsyncer supports {} to {}); results may be wrong",
            SUPPORTED_MAJORS.start(),
            SUPPORTED_MAJORS.end()
        )
    })
}

/// Settings every session of `side` starts with, after any `options` the DSN gives (so
/// they win): `row_security=off` on every side, so a row-level security policy that would
/// hide rows raises an error instead (a table read whole or not at all, never a filtered
/// part whose missing rows the sync would then delete), and
/// `default_transaction_read_only=on` on main.
fn startup_options(side: Side, given: Option<&str>) -> String {
    let mut options: Vec<&str> = given.into_iter().collect();
    options.push("-c row_security=off");
    if side == Side::Main {
        options.push("-c default_transaction_read_only=on");
    }
    options.join(" ")
}

/// tokio-postgres configuration from resolved settings. Main's configuration carries
/// `default_transaction_read_only=on` and every side's `row_security=off` (after any
/// `options` given, see [`startup_options`]), so even a caller that connects with
/// [`Endpoint::config`] directly gets those sessions.
fn build_config(
    side: Side,
    r: &Resolved,
    tls: &tls::TlsPlan,
) -> Result<tokio_postgres::Config, String> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&r.host)
        .port(r.port)
        .user(&r.user)
        .dbname(&r.dbname)
        .ssl_mode(tls.mode)
        .application_name(r.application_name.as_deref().unwrap_or("pgsyncer"));
    if let Some(addr) = r.hostaddr {
        config.hostaddr(addr);
    }
    if let Some(password) = &r.password {
        config.password(password);
    }
    if let Some(Some(limit)) = r.connect_timeout {
        config.connect_timeout(limit);
    }
    config.options(startup_options(side, r.options.as_deref()));
    let bad = |key: &str, value: &str, form: &str| {
        format!("invalid value \"{value}\" for \"{key}\" (expected {form})")
    };
    let seconds = |key: &str, value: &str| {
        value
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| bad(key, value, "whole seconds"))
    };
    for (key, value) in &r.passthrough {
        let (key, value) = (key.as_str(), value.as_str());
        match key {
            "keepalives" => {
                config.keepalives(match value {
                    "1" => true,
                    "0" => false,
                    _ => return Err(bad(key, value, "0 or 1")),
                });
            }
            "keepalives_idle" => {
                config.keepalives_idle(seconds(key, value)?);
            }
            "keepalives_interval" => {
                config.keepalives_interval(seconds(key, value)?);
            }
            "keepalives_count" => {
                config.keepalives_retries(
                    value
                        .parse()
                        .map_err(|_| bad(key, value, "a whole number"))?,
                );
            }
            // libpq takes milliseconds here.
            "tcp_user_timeout" => {
                config.tcp_user_timeout(Duration::from_millis(
                    value.parse().map_err(|_| bad(key, value, "milliseconds"))?,
                ));
            }
            "target_session_attrs" => {
                use tokio_postgres::config::TargetSessionAttrs as T;
                config.target_session_attrs(match value {
                    "any" => T::Any,
                    "read-write" => T::ReadWrite,
                    "read-only" => T::ReadOnly,
                    _ => return Err(bad(key, value, "any, read-write or read-only")),
                });
            }
            "channel_binding" => {
                use tokio_postgres::config::ChannelBinding as C;
                config.channel_binding(match value {
                    "disable" => C::Disable,
                    "prefer" => C::Prefer,
                    "require" => C::Require,
                    _ => return Err(bad(key, value, "disable, prefer or require")),
                });
            }
            _ => {}
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_outside_13_to_18_are_flagged() {
        assert_eq!(unsupported_version(130000, "13.0"), None);
        assert_eq!(unsupported_version(150004, "15.4"), None);
        assert_eq!(unsupported_version(180001, "18.1"), None);
        let old = unsupported_version(120017, "12.17").unwrap();
        assert!(
            old.contains("12.17") && old.contains("not supported"),
            "{old}"
        );
        assert!(old.contains("13 to 18"), "{old}");
        assert!(unsupported_version(190000, "19devel").is_some());
    }
}
