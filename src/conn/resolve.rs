//! Resolving a parsed connection string into concrete settings with libpq's precedence:
//! the DSN, then `PG*` environment variables, then the password file, then defaults (user =
//! the OS user, database = the user, port 5432, host = the local socket directory).
//!
//! Everything here is pure: the environment comes in as a lookup function and the password
//! file as text, so tests never touch the process environment.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::dsn::DsnParams;
use super::pgpass;

/// `sslmode`, as libpq spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(text: &str) -> Result<SslMode, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "invalid sslmode \"{other}\" (accepted: disable, allow, prefer, require, verify-ca, verify-full)"
                ))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where a password came from (for logs: never the password itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    Dsn,
    Env,
    File(PathBuf),
    None,
}

/// Facts about the machine that defaults depend on, gathered once by [`Defaults::from_os`]
/// (or written by hand in tests).
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// The operating-system user name: the default `user`.
    pub os_user: Option<String>,
    /// Home directory: `~/.pgpass` and `~/.postgresql/root.crt` live there.
    pub home: Option<PathBuf>,
    /// Socket directory used when no host is given (libpq's compiled-in default).
    pub socket_dir: String,
}

impl Defaults {
    /// The current process's user, home and the usual socket directory.
    pub fn from_os(env: &dyn Fn(&str) -> Option<String>) -> Defaults {
        let (pw_name, pw_home) = passwd_entry();
        let home = env("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or(pw_home);
        // Debian's libpq is built with /var/run/postgresql; upstream's default is /tmp.
        let socket_dir = if std::path::Path::new("/var/run/postgresql").is_dir() {
            "/var/run/postgresql".to_string()
        } else {
            "/tmp".to_string()
        };
        Defaults {
            os_user: pw_name.or_else(|| env("USER")),
            home,
            socket_dir,
        }
    }
}

/// The effective user's name and home directory from the password database.
fn passwd_entry() -> (Option<String>, Option<PathBuf>) {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: an all-zero passwd is a valid value for getpwuid_r to fill in.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r (the re-entrant form, safe from any thread) writes into `pwd` and
    // `buf`, both alive and sized as passed, and sets `result` to &pwd or null.
    let rc = unsafe {
        libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return (None, None);
    }
    // SAFETY: on success pw_name and pw_dir point to NUL-terminated strings inside `buf`.
    let (name, home) = unsafe {
        (
            std::ffi::CStr::from_ptr(pwd.pw_name),
            std::ffi::CStr::from_ptr(pwd.pw_dir),
        )
    };
    (
        name.to_str().ok().map(str::to_string),
        home.to_str().ok().map(PathBuf::from),
    )
}

/// Fully resolved connection settings. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Host name, IP address, or Unix socket directory (starts with `/`).
    pub host: String,
    /// The host came from the DSN or `PGHOST` (not from `hostaddr` or the default).
    pub host_given: bool,
    pub hostaddr: Option<IpAddr>,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub password_source: PasswordSource,
    pub dbname: String,
    pub sslmode: SslMode,
    /// `sslrootcert` as given (a path or `system`); `None` means the default file.
    pub sslrootcert: Option<String>,
    /// Client certificate and key files (`sslcert`, `sslkey`); `None` means the defaults
    /// `~/.postgresql/postgresql.crt` / `.key` when they exist.
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
    /// `connect_timeout` from the DSN or `PGCONNECT_TIMEOUT`: `Some(None)` means no limit
    /// (0, as in libpq); `None` means not given (the caller's default applies).
    pub connect_timeout: Option<Option<Duration>>,
    pub application_name: Option<String>,
    pub options: Option<String>,
    /// `passfile` or `PGPASSFILE` when given.
    pub passfile: Option<PathBuf>,
    /// Other parameters passed straight to tokio-postgres (keepalives, target_session_attrs…).
    pub passthrough: Vec<(String, String)>,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("host", &self.host)
            .field("hostaddr", &self.hostaddr)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("password_source", &self.password_source)
            .field("dbname", &self.dbname)
            .field("sslmode", &self.sslmode)
            .field("sslrootcert", &self.sslrootcert)
            .field("sslcert", &self.sslcert)
            .field("sslkey", &self.sslkey)
            .field("connect_timeout", &self.connect_timeout)
            .field("application_name", &self.application_name)
            .field("options", &self.options)
            .field("passfile", &self.passfile)
            .field("passthrough", &self.passthrough)
            .finish()
    }
}

impl Resolved {
    /// True when the host is a Unix socket directory (no TLS there, as in libpq).
    pub fn is_socket(&self) -> bool {
        self.host.starts_with('/') && self.hostaddr.is_none()
    }

    /// The password file to consult: `passfile`, else `PGPASSFILE`, else `~/.pgpass`.
    pub fn password_file(&self, defaults: &Defaults) -> Option<PathBuf> {
        self.passfile
            .clone()
            .or_else(|| defaults.home.as_ref().map(|h| h.join(".pgpass")))
    }

    /// Take a missing password from password-file text (libpq's rules, first match wins).
    /// `path` is only recorded as the source.
    pub fn apply_pgpass(&mut self, text: &str, path: PathBuf) {
        if self.password.is_some() {
            return;
        }
        // libpq looks the file up by host, or by hostaddr when no host was given.
        let host = match (&self.host_given, self.hostaddr) {
            (false, Some(addr)) => addr.to_string(),
            _ => self.host.clone(),
        };
        let lookup = pgpass::Lookup {
            host: &host,
            port: self.port,
            dbname: &self.dbname,
            user: &self.user,
        };
        if let Some(password) = pgpass::find_password(text, lookup) {
            if !password.is_empty() {
                self.password = Some(password);
                self.password_source = PasswordSource::File(path);
            }
        }
    }
}

/// Resolve `params` with the environment `env` and machine `defaults`: DSN > env > defaults.
/// The password comes from the DSN or `PGPASSWORD` here; see [`Resolved::apply_pgpass`] for
/// the password file, which comes after both.
pub fn resolve(
    params: &DsnParams,
    env: &dyn Fn(&str) -> Option<String>,
    defaults: &Defaults,
) -> Result<Resolved, String> {
    let pick = |key: &str, var: &str| -> Option<String> {
        params
            .get(key)
            .map(str::to_string)
            .or_else(|| env(var).filter(|v| !v.is_empty()))
    };
    let hostaddr = match pick("hostaddr", "PGHOSTADDR") {
        Some(text) => Some(
            text.parse::<IpAddr>()
                .map_err(|_| format!("invalid hostaddr \"{text}\" (expected an IP address)"))?,
        ),
        None => None,
    };
    let given_host = pick("host", "PGHOST");
    if given_host.as_deref().is_some_and(|h| h.contains(',')) {
        return Err("multiple hosts in one connection string are not supported".into());
    }
    let host_given = given_host.is_some();
    let host = match (given_host, hostaddr) {
        (Some(h), _) => h,
        (None, Some(addr)) => addr.to_string(),
        (None, None) => defaults.socket_dir.clone(),
    };
    let port = match pick("port", "PGPORT") {
        Some(text) => match text.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => {
                return Err(format!(
                    "invalid port \"{text}\" (expected a number from 1 to 65535)"
                ))
            }
        },
        None => 5432,
    };
    let user = pick("user", "PGUSER")
        .or_else(|| defaults.os_user.clone())
        .ok_or(
            "no user name given and the operating-system user is unknown (set user= or PGUSER)",
        )?;
    let dbname = pick("dbname", "PGDATABASE").unwrap_or_else(|| user.clone());
    let (password, password_source) = match params.get("password") {
        Some(p) => (Some(p.to_string()), PasswordSource::Dsn),
        None => match env("PGPASSWORD").filter(|p| !p.is_empty()) {
            Some(p) => (Some(p), PasswordSource::Env),
            None => (None, PasswordSource::None),
        },
    };
    let sslmode = match pick("sslmode", "PGSSLMODE") {
        Some(text) => SslMode::parse(&text)?,
        None => SslMode::Prefer,
    };
    let connect_timeout = match pick("connect_timeout", "PGCONNECT_TIMEOUT") {
        Some(text) => match text.trim().parse::<u64>() {
            Ok(0) => Some(None),
            Ok(s) => Some(Some(Duration::from_secs(s))),
            Err(_) => {
                return Err(format!(
                    "invalid connect_timeout \"{text}\" (expected whole seconds, 0 for no limit)"
                ))
            }
        },
        None => None,
    };
    let mut passthrough = Vec::new();
    for (key, var) in [
        ("keepalives", ""),
        ("keepalives_idle", ""),
        ("keepalives_interval", ""),
        ("keepalives_count", ""),
        ("tcp_user_timeout", ""),
        ("target_session_attrs", "PGTARGETSESSIONATTRS"),
        ("channel_binding", "PGCHANNELBINDING"),
    ] {
        let value = if var.is_empty() {
            params.get(key).map(str::to_string)
        } else {
            pick(key, var)
        };
        if let Some(value) = value {
            passthrough.push((key.to_string(), value));
        }
    }
    Ok(Resolved {
        host,
        host_given,
        hostaddr,
        port,
        user,
        password,
        password_source,
        dbname,
        sslmode,
        sslrootcert: pick("sslrootcert", "PGSSLROOTCERT"),
        sslcert: pick("sslcert", "PGSSLCERT"),
        sslkey: pick("sslkey", "PGSSLKEY"),
        connect_timeout,
        application_name: pick("application_name", "PGAPPNAME"),
        options: pick("options", "PGOPTIONS"),
        passfile: pick("passfile", "PGPASSFILE").map(PathBuf::from),
        passthrough,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_defaults_come_from_the_password_database() {
        let d = Defaults::from_os(&|_| None);
        let user = d.os_user.clone().unwrap_or_default();
        assert!(!user.is_empty(), "{d:?}");
        assert!(d.home.is_some(), "{d:?}");
        // HOME, when set, wins over the password database (as libpq).
        let d = Defaults::from_os(&|k| (k == "HOME").then(|| "/some/home".to_string()));
        assert_eq!(d.home, Some(PathBuf::from("/some/home")));
    }
}
