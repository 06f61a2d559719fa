//! Connections: DSN parsing, PG* environment fallbacks, `.pgpass`, TLS, session settings.
//!
//! An [`Endpoint`] is a parsed, resolved connection target for one side; it can open any
//! number of [`Session`]s (the data sync opens one per worker). Main's sessions are
//! read-only. No error or log line produced here contains a password.
//!
//! NOTE: first cut (plain TCP/socket, no env/pgpass/TLS yet); the public API is the contract.

use std::fmt;
use std::time::Duration;

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
    #[error("{side}: invalid connection string: {reason}")]
    InvalidDsn { side: Side, reason: String },
    #[error("{side} ({target}): {source}")]
    Connect {
        side: Side,
        target: String,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("{side} ({target}): no connection within {seconds} s")]
    Timeout {
        side: Side,
        target: String,
        seconds: u64,
    },
}

/// A parsed connection target for one side.
#[derive(Clone)]
pub struct Endpoint {
    side: Side,
    config: tokio_postgres::Config,
    timeout: Duration,
    target: String,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({} {})", self.side, self.target)
    }
}

/// An open session with its server's version.
pub struct Session {
    pub client: tokio_postgres::Client,
    /// `server_version_num`, e.g. 150004.
    pub server_version_num: i32,
    pub side: Side,
}

impl std::ops::Deref for Session {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl Endpoint {
    /// Parse a URL or key=value DSN for `side`.
    pub fn parse(side: Side, dsn: &str, timeout: Duration) -> Result<Endpoint, ConnectError> {
        let config: tokio_postgres::Config =
            dsn.parse().map_err(|e: tokio_postgres::Error| ConnectError::InvalidDsn {
                side,
                reason: e.to_string(),
            })?;
        let target = describe(&config);
        Ok(Endpoint {
            side,
            config,
            timeout,
            target,
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

    /// Open a session: `application_name=pgsyncer`, read-only on main.
    pub async fn connect(&self) -> Result<Session, ConnectError> {
        let mut config = self.config.clone();
        config.application_name("pgsyncer");
        if self.side == Side::Main {
            config.options("-c default_transaction_read_only=on");
        }
        let connecting = config.connect(tokio_postgres::NoTls);
        let (client, connection) = tokio::time::timeout(self.timeout, connecting)
            .await
            .map_err(|_| ConnectError::Timeout {
                side: self.side,
                target: self.target.clone(),
                seconds: self.timeout.as_secs(),
            })?
            .map_err(|source| ConnectError::Connect {
                side: self.side,
                target: self.target.clone(),
                source,
            })?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection closed: {e}");
            }
        });
        let row = client
            .query_one("SELECT current_setting('server_version_num')::int", &[])
            .await
            .map_err(|source| ConnectError::Connect {
                side: self.side,
                target: self.target.clone(),
                source,
            })?;
        Ok(Session {
            client,
            server_version_num: row.get(0),
            side: self.side,
        })
    }
}

fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or_default();
    format!("{host}:{port}/{db}")
}
