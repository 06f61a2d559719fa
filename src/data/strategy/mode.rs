//! The optional modes of the data sync, chosen per table: `--use-updated-at`
//! ([`incremental`](crate::data::strategy::incremental)) and `--fdw-mode` ([`fdw`](crate::data::strategy::fdw)). The engine
//! hands every table to [`Modes::run_table`] when a mode is on; tables a mode cannot serve
//! fall back to the default strategies, and the summary's `mode` says which ran.
//!
//! | table | `--use-updated-at` | `--fdw-mode` |
//! | --- | --- | --- |
//! | empty on the standin | `copy` | `fdw-insert` |
//! | keyed, column present, watermark known | `incremental` | `fdw-incremental` |
//! | keyed, otherwise | `compare` | `fdw-merge` |
//! | keyless | `compare` | `fdw-merge` |
//!
//! With `--use-updated-at`, every table that has the column gets the run's safe watermark
//! recorded in `pgsyncer.sync_state`, in the same transaction as its rows. `--dry-run`
//! always compares in full (it reports exact differences; how they would be applied does not
//! change them).

use std::collections::HashMap;

use crate::conn::{Endpoint, Session, Side};
use crate::data::error::DataError;
use crate::data::error::QueryContext;
use crate::data::run::watermark::{self, SafePoint};
use crate::data::strategy::fdw::{self, FdwOptions, Staging};
use crate::data::strategy::incremental::{self, IncrementalOptions};
use crate::data::strategy::{self, Outcome, Strategy};
use crate::data::table_ctx::TableCtx;
use crate::data::tables::TablePair;

/// What `--use-updated-at` knows for this run.
pub struct IncrementalRun {
    pub options: IncrementalOptions,
    pub safe: SafePoint,
    /// Watermarks recorded by earlier runs, by `(schema, table)`.
    pub recorded: HashMap<(String, String), String>,
}

/// The modes in force for one run.
#[derive(Default)]
pub struct Modes {
    pub incremental: Option<IncrementalRun>,
    pub fdw: Option<Staging>,
}

impl Modes {
    pub fn any(&self) -> bool {
        self.incremental.is_some() || self.fdw.is_some()
    }

    /// Set up the modes (after the safe point was read and before the workers start):
    /// the state table, the recorded watermarks, the FDW staging.
    pub async fn start(
        main: &Endpoint,
        control: &Session,
        pairs: &[TablePair],
        safe: Option<SafePoint>,
        incremental: Option<&IncrementalOptions>,
        fdw_options: Option<&FdwOptions>,
        dry_run: bool,
    ) -> Result<Modes, DataError> {
        let mut modes = Modes::default();
        if let (Some(options), Some(safe)) = (incremental, safe) {
            if !dry_run {
                watermark::ensure_state_table(control).await?;
            }
            let recorded = if options.last_sync_time.is_some() {
                HashMap::new()
            } else {
                watermark::load(control, &safe.identity).await?
            };
            modes.incremental = Some(IncrementalRun {
                options: options.clone(),
                safe,
                recorded,
            });
        }
        match fdw_options {
            Some(options) if !dry_run => {
                modes.fdw = Some(fdw::setup(control, main, pairs, options).await?);
            }
            // Every other run (diff and --dry-run too) removes what a killed FDW run left:
            // main's password is in it.
            Some(_) => {
                tracing::info!("--dry-run: --fdw-mode compares through pgsyncer");
                fdw::clean_leftovers_if_idle(control).await;
            }
            None => fdw::clean_leftovers_if_idle(control).await,
        }
        Ok(modes)
    }

    /// Remove what [`Modes::start`] set up on the standin.
    pub async fn finish(self, control: &Session) -> Result<(), DataError> {
        if let Some(staging) = self.fdw {
            fdw::cleanup(control, staging).await?;
        }
        Ok(())
    }

    /// Sync one table in the mode that fits it; returns the summary's mode label and what was
    /// done. Runs inside the group's standin transaction.
    pub async fn run_table(
        &self,
        ctx: &TableCtx<'_>,
        table: &TablePair,
    ) -> Result<(String, Outcome), DataError> {
        let incr = self.incremental.as_ref();
        let column = incr.and_then(|i| incremental::updated_column(table, &i.options.column));
        let filter = match (incr, column) {
            (Some(i), Some((c, tz))) if !ctx.dry_run => i
                .options
                .last_sync_time
                .as_ref()
                .or_else(|| i.recorded.get(&(table.schema.clone(), table.name.clone())))
                .map(|wm| incremental::changed_filter(c, tz, wm, &i.safe.timezone)),
            _ => None,
        };
        if incr.is_some() {
            match (&column, &filter) {
                (None, _) => tracing::info!(
                    "{}: no timestamp column {:?}: full comparison",
                    table.qualified_name(),
                    incr.map(|i| i.options.column.as_str()).unwrap_or_default()
                ),
                (Some(_), None) => tracing::info!(
                    "{}: no watermark recorded yet: full sync, recording one",
                    table.qualified_name()
                ),
                _ => {}
            }
        }
        let deletes = incr.map(|i| i.options.deletes).unwrap_or(true);
        let (label, outcome) = match &self.fdw {
            Some(staging) if !ctx.dry_run => {
                fdw::sync_table(ctx, staging, table, filter.as_deref(), deletes).await?
            }
            _ => {
                let chosen = strategy::choose(ctx, table).await?;
                match (&filter, chosen) {
                    (Some(filter), Strategy::Keyed) => (
                        "incremental".to_string(),
                        incremental::sync(ctx, table, filter, deletes).await?,
                    ),
                    _ => (
                        chosen.label().to_string(),
                        strategy::run(ctx, table, chosen).await?,
                    ),
                }
            }
        };
        if let (Some(i), Some((c, _)), false) = (incr, column, ctx.dry_run) {
            let sql = watermark::record_sql(
                &i.safe.identity,
                &table.schema,
                &table.name,
                &c.name,
                &i.safe.watermark,
            );
            ctx.standin
                .batch_execute(&sql)
                .await
                .ctx(Side::Standin, || {
                    "recording the watermark in pgsyncer.sync_state".to_string()
                })?;
        }
        Ok((label, outcome))
    }

    /// A line for the summary, when a mode has something to say.
    pub fn note(&self) -> Option<String> {
        let i = self.incremental.as_ref()?;
        Some(format!(
            "watermark for the next --use-updated-at run: {} ({})",
            i.safe.watermark, i.safe.source
        ))
    }
}
