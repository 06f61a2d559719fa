//! The data sync: make every selected standin table hold main's rows, moving only what
//! differs.
//!
//! # Layout
//!
//! - [`compare`]: what compares: fingerprints, hash buckets, key listings, reconciling sums.
//! - [`write`]: what writes: COPY, merge, index rebuilds, sequences.
//! - [`strategy`]: the per-table strategies built from those two: copy, [`strategy::keyed`],
//!   [`strategy::keyless`], [`strategy::incremental`], [`strategy::fdw`] (picked by
//!   [`strategy::mode`]).
//! - [`run`]: what every table of a run shares: snapshot and sessions, FK groups and order,
//!   filter, activity, watermark, progress, summary.
//! - Shared by all: [`tables`] (the tables and their pairing), [`table_ctx`] (what one
//!   table's sync works with), [`sql`] (the statements, pure), [`alias`] (internal names),
//!   [`error`].
//! - Here: [`Options`]; the run itself is [`run::pool`] ([`sync_data`]).
//!
//! # Flow
//!
//! 1. A coordinator session on main opens `REPEATABLE READ READ ONLY` and exports its
//!    snapshot ([`run::session`]); every worker imports it, so all tables are read as of one
//!    instant. Settings that change text output are pinned on every session.
//! 2. Table metadata comes from one catalog query per side ([`tables`]); tables present on
//!    both sides are paired (common columns, a key unique on both sides).
//! 3. Tables joined by foreign keys form groups ([`run::order`]); `--workers` workers take
//!    groups largest first. A group is one standin transaction: tables written parents first,
//!    deletes applied children first, so a failure or Ctrl-C leaves every table as it was.
//! 4. Per table a [`strategy::Strategy`]: a straight COPY into an empty table
//!    ([`write::copy`]), bucket checksums and a merge of differing buckets
//!    ([`strategy::keyed`]), or a multiset comparison ([`strategy::keyless`]).
//! 5. Sequences are set to main's values ([`write::sequences`]); a [`run::summary::Summary`]
//!    says what changed.
//!
//! Memory is bounded by the chunk size, not the table size.

pub mod alias;
pub mod compare;
pub mod error;
pub mod run;
pub mod sql;
pub mod strategy;
pub mod table_ctx;
pub mod tables;
pub mod write;

// Paths the tests and the rest of the crate use, kept where they were before the layers.
pub use compare::{buckets, fingerprint};
pub use error::DataError;
pub use run::filter::TableFilter;
pub use run::summary::{Summary, TableSummary};
pub use run::{session, verify, watermark};
pub use strategy::{fdw, incremental};

pub use run::pool::sync_data;

/// What to sync and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// Schemas to sync; `None` for every non-system schema.
    pub schemas: Option<Vec<String>>,
    pub filter: TableFilter,
    pub chunk_size: u64,
    pub workers: u32,
    /// Compare and report, write nothing.
    pub dry_run: bool,
    pub disable_triggers: bool,
    /// Drop standin tables that main lacks.
    pub clean_extra: bool,
    /// Progress bars on stderr when it is a terminal.
    pub progress: bool,
    /// `--use-updated-at`: read only rows changed since the watermark ([`incremental`]).
    pub incremental: Option<incremental::IncrementalOptions>,
    /// `--fdw-mode`: move rows server-side through postgres_fdw ([`fdw`]).
    pub fdw: Option<fdw::FdwOptions>,
    /// `--show-keys`: keys of changed rows kept per table and kind, for the summary.
    pub show_keys: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            schemas: Some(vec!["public".to_string()]),
            filter: TableFilter::default(),
            chunk_size: 10_000,
            workers: 4,
            dry_run: false,
            disable_triggers: false,
            clean_extra: false,
            progress: false,
            incremental: None,
            fdw: None,
            show_keys: 0,
        }
    }
}
