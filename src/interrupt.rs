//! Ctrl-C (SIGINT) and SIGTERM, for every command: stop the work, let the servers roll back
//! what it left open, remove what `--fdw-mode` set up (main's password is in its user
//! mapping), and exit 130 or 143 as a shell expects of a process ended by that signal.
//!
//! The work is a future: dropping it stops it, and every open transaction is rolled back by
//! its server when its connection closes. A statement still running on a server would
//! hold its locks until it ends, so each connection's statement is cancelled first
//! ([`live`]); the cleanup then waits (bounded) for the connections to close, since it
//! needs locks those sessions held. A second signal during the cleanup ends it at once.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::signal::unix::{signal, Signal as Stream, SignalKind};

use crate::conn::{live, Side};

/// The signal that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// 128 + the signal's number, as shells report a process the signal ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// How long a cancel request may take to reach one server.
const CANCEL_LIMIT: Duration = Duration::from_secs(3);
/// How long the connections may take to close after their statements were cancelled.
const CLOSE_LIMIT: Duration = Duration::from_secs(10);
/// How long removing the `--fdw-mode` objects may take in all.
const CLEANUP_LIMIT: Duration = Duration::from_secs(30);

/// Run `work` until it ends or SIGINT / SIGTERM arrives; then stop it as the module says
/// and return the signal.
pub async fn run_or_stop<F: Future>(work: F) -> Result<F::Output, Signal> {
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::warn!("cannot handle SIGINT/SIGTERM: a signal ends pgsyncer without cleanup");
        return Ok(work.await);
    };
    let mut work = Box::pin(work);
    let received = tokio::select! {
        out = &mut work => return Ok(out),
        _ = interrupt.recv() => Signal::Interrupt,
        _ = terminate.recv() => Signal::Terminate,
    };
    eprintln!(
        "{}: stopping; open transactions are rolled back",
        received.name()
    );
    tokio::select! {
        _ = stop(work) => {}
        _ = next(&mut interrupt, &mut terminate) => eprintln!(
            "second signal: exiting now; the next pgsyncer run removes what --fdw-mode left on the standin"
        ),
    }
    Err(received)
}

async fn next(interrupt: &mut Stream, terminate: &mut Stream) {
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
}

/// Stop `work`: no new statement starts, running ones are cancelled, connections close,
/// then the `--fdw-mode` objects are removed.
async fn stop<W>(work: W) {
    // The standin backends of this run: the cleanup waits for them to be gone.
    let backends: Vec<i32> = live::open()
        .iter()
        .filter(|c| c.side == Side::Standin)
        .map(|c| c.pid)
        .collect();
    // Dropping the work first means nothing new is sent; a statement already on its way is
    // still cancelled below, since the cancel requests follow it.
    drop(work);
    tokio::task::yield_now().await;
    let deadline = Instant::now() + CLOSE_LIMIT;
    let mut next_cancel = Instant::now();
    loop {
        let open = live::open();
        if open.is_empty() {
            break;
        }
        let now = Instant::now();
        if now > deadline {
            let pids: Vec<String> = open
                .iter()
                .map(|c| format!("{} backend {}", c.side, c.pid))
                .collect();
            eprintln!(
                "some connections did not close within {} s: {}",
                CLOSE_LIMIT.as_secs(),
                pids.join(", ")
            );
            break;
        }
        if now >= next_cancel {
            // Repeated while they stay open: a cancel that arrived between two statements
            // found nothing to cancel.
            futures_util::future::join_all(open.iter().map(|c| c.cancel(CANCEL_LIMIT))).await;
            next_cancel = Instant::now() + Duration::from_secs(1);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for standin in live::take_fdw() {
        let removing = crate::data::fdw::remove_after_stop(&standin, &backends);
        match tokio::time::timeout(CLEANUP_LIMIT, removing).await {
            Ok(Ok(message)) => eprintln!("{message}"),
            Ok(Err(e)) => eprintln!(
                "{}: could not remove the postgres_fdw objects (the next pgsyncer run removes them): {}",
                Side::Standin,
                crate::report::report(&e)
            ),
            Err(_) => eprintln!(
                "{}: removing the postgres_fdw objects took over {} s: left for the next pgsyncer run",
                Side::Standin,
                CLEANUP_LIMIT.as_secs()
            ),
        }
    }
}
