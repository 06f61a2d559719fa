//! One module per subcommand, each with `run(args) -> Result<ExitCode, Error>`.

pub mod demo;
pub mod diff;
pub mod dump;
pub mod plan;
pub mod preflight;
pub mod snapshot;
pub mod sync;

use crate::cli::Command;
use crate::Error;

/// Process exit status of a command that did not fail.
pub type ExitStatus = u8;

/// Run one parsed command.
pub async fn run(command: Command) -> Result<ExitStatus, Error> {
    match command {
        Command::Sync(args) => sync::run(args).await,
        Command::Plan(args) => plan::run(args).await,
        Command::Dump(args) => dump::run(args).await,
        Command::Snapshot(args) => snapshot::run(args).await,
        Command::Diff(args) => diff::run(args).await,
        Command::Demo(args) => demo::run(args).await,
    }
}

/// Write a command's text output to `--out FILE`, or to stdout when no file is given.
pub fn write_output(out: Option<&std::path::Path>, text: &str) -> Result<(), Error> {
    use std::io::Write;
    match out {
        Some(path) => std::fs::write(path, text).map_err(|source| Error::Io {
            what: format!("cannot write {}", path.display()),
            source,
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|source| Error::Io {
                    what: "cannot write to stdout".to_string(),
                    source,
                })
        }
    }
}
