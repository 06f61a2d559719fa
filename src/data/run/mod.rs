//! The run around the strategies: what every table of one `sync_data` shares.
//!
//! - [`session`]: pinned settings, the coordinator's exported snapshot, workers importing it.
//! - [`order`]: the FK graph: groups (one standin transaction each), parents-first order,
//!   cycles that need replica mode.
//! - [`filter`]: `--include` / `--exclude`.
//! - [`activity`]: main's write counts per table against those recorded at the last sync.
//! - [`watermark`]: `--use-updated-at`'s safe point, main's identity, `pgsyncer.sync_state`.
//! - [`progress`], [`summary`]: progress bars; the summary table / JSON.
//! - [`verify`]: an independent row check (demo).
//!
//! - [`pool`]: [`pool::sync_data`], the run itself: groups to workers, a group's standin
//!   transaction.

pub mod activity;
pub mod filter;
pub mod order;
pub mod pool;
pub mod progress;
pub mod session;
pub mod summary;
pub mod verify;
pub mod watermark;
