//! Log output on stderr: `-v` info (what pgsyncer does, phase by phase and table by table),
//! `-vv` debug (also every statement it runs, with its duration, secrets masked),
//! `-vvv` trace (also the PostgreSQL driver's protocol log). `PGSYNCER_LOG`, an
//! `EnvFilter` directive list such as `debug` or `pgsyncer=trace,tokio_postgres=debug`,
//! replaces what `-v` chose. No colour codes unless stderr is a terminal.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The variable whose directives override `-v`.
pub const ENV: &str = "PGSYNCER_LOG";

/// The filter `-v` given `verbose` times selects.
pub fn directives(verbose: u8) -> &'static str {
    match verbose {
        0 => "pgsyncer=warn,warn",
        1 => "pgsyncer=info,warn",
        2 => "pgsyncer=debug,warn",
        _ => "pgsyncer=trace,tokio_postgres=debug,warn",
    }
}

/// Install the subscriber, and a bridge that brings the driver's `log` records (masked
/// through [`crate::conn::logged::loggable`]) into it. Called once, by `main`.
pub fn init(verbose: u8) {
    let from_env = std::env::var(ENV).ok().filter(|v| !v.trim().is_empty());
    let filter = from_env
        .as_deref()
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| EnvFilter::new(directives(verbose)));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        return;
    }
    let driver_level = if from_env.is_some() || verbose >= 3 {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Warn
    };
    if log::set_boxed_logger(Box::new(DriverLog)).is_ok() {
        log::set_max_level(driver_level);
    }
}

/// `log` records of the libraries (tokio-postgres, rustls) as tracing events, their text
/// masked: tokio-postgres' debug output carries statement texts.
struct DriverLog;

impl log::Log for DriverLog {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let text = crate::conn::logged::loggable(&record.args().to_string());
        // A tracing target must be a constant: the driver's records keep theirs, so
        // `tokio_postgres=debug` selects them; the others (rustls) share one.
        if record.target().starts_with("tokio_postgres") {
            match record.level() {
                log::Level::Error => tracing::error!(target: "tokio_postgres", "{text}"),
                log::Level::Warn => tracing::warn!(target: "tokio_postgres", "{text}"),
                log::Level::Info => tracing::info!(target: "tokio_postgres", "{text}"),
                log::Level::Debug => tracing::debug!(target: "tokio_postgres", "{text}"),
                log::Level::Trace => tracing::trace!(target: "tokio_postgres", "{text}"),
            }
        } else {
            match record.level() {
                log::Level::Error => tracing::error!(target: "library", "{text}"),
                log::Level::Warn => tracing::warn!(target: "library", "{text}"),
                log::Level::Info => tracing::info!(target: "library", "{text}"),
                log::Level::Debug => tracing::debug!(target: "library", "{text}"),
                log::Level::Trace => tracing::trace!(target: "library", "{text}"),
            }
        }
    }

    fn flush(&self) {}
}
