//! Progress bars per table on a terminal (indicatif); nothing when stderr is not a terminal
//! or the summary goes out as JSON.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        let multi = (enabled && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi }
    }

    pub fn hidden() -> Progress {
        Progress { multi: None }
    }

    /// A bar for one table; `chunks` may be set later with [`TableBar::set_chunks`].
    pub fn table(&self, name: &str) -> TableBar {
        let bar = match &self.multi {
            Some(multi) => {
                // A spinner until the number of key ranges is known: a bar of length 0 is
                // drawn full, which read as "done" before anything was compared.
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{prefix:32!} {spinner} {msg} {elapsed}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(name.to_string());
                bar.enable_steady_tick(Duration::from_millis(200));
                bar
            }
            None => ProgressBar::hidden(),
        };
        TableBar { bar }
    }
}

pub struct TableBar {
    bar: ProgressBar,
}

impl TableBar {
    pub fn set_chunks(&self, n: u64) {
        self.bar.set_style(
            ProgressStyle::with_template(
                "{prefix:32!} [{bar:30}] {pos}/{len} key ranges  {msg} {elapsed}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        self.bar.set_length(n);
    }
    pub fn chunks_done(&self, n: u64) {
        self.bar.inc(n);
    }
    pub fn message(&self, msg: impl Into<String>) {
        self.bar.set_message(msg.into());
    }
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
