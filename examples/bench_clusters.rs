//! Two throwaway clusters for `scripts/bench.sh`: prints `MAIN=<url>`, `STANDIN=<url>` (the
//! `postgres` database of each) and `BINDIR=<dir>`, then keeps them running until stdin
//! closes; dropping the sandboxes stops the servers and deletes their files.

use std::io::{BufRead, Write};

use pgsyncer::sandbox::Sandbox;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let main = Sandbox::start()?;
    let standin = Sandbox::start()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "MAIN={}", main.url("postgres"))?;
    writeln!(out, "STANDIN={}", standin.url("postgres"))?;
    writeln!(out, "BINDIR={}", main.bindir().display())?;
    writeln!(out, "READY")?;
    out.flush()?;
    drop(out);
    // Block until the script closes our stdin (or exits).
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
    }
    drop(standin);
    drop(main);
    Ok(())
}
