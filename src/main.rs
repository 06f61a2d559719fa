//! Thin binary: parse the command line, run the command, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use pgsyncer::cli::{precheck_args, Cli, Command};

fn main() -> ExitCode {
    if let Some(message) = precheck_args(std::env::args()) {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    // clap exits with status 2 and names the flag on a usage error.
    let command = Cli::parse().into_command();
    pgsyncer::logging::init(verbosity(&command));
    // One thread: pgsyncer's own work is light next to the servers', and with every
    // connection on the thread that reads it, no COPY message crosses threads (measured on
    // 2 cores: a third of the system CPU and 5-10 % of the wall time of a data sync).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let work = pgsyncer::commands::run(command);
    match runtime.block_on(pgsyncer::interrupt::run_or_stop(work)) {
        Ok(Ok(status)) => ExitCode::from(status),
        Ok(Err(e)) => {
            eprintln!("error: {}", pgsyncer::error::report(&e));
            ExitCode::from(e.exit_code())
        }
        Err(signal) => ExitCode::from(signal.exit_code()),
    }
}

fn verbosity(command: &Command) -> u8 {
    match command {
        Command::Sync(a) => a.connect.verbose,
        Command::Diff(a) => a.sync.connect.verbose,
        Command::Plan(a) => a.connect.verbose,
        Command::Dump(a) => a.connect.verbose,
        Command::Snapshot(a) => a.connect.verbose,
        Command::Demo(a) => a.verbose,
    }
}
