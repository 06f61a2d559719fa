//! `pgsyncer sync` (also what runs with no subcommand): the schema phase, then the data.

use std::io::IsTerminal;

use super::ExitStatus;
use crate::cli::SyncArgs;
use crate::conn::{mask_dsn, Endpoint, Side};
use crate::data::{self, Options, Summary, TableFilter};
use crate::Error;

pub async fn run(args: SyncArgs) -> Result<ExitStatus, Error> {
    run_with(args, false).await.map(|_| 0)
}

/// Shared by `sync`, `sync --dry-run` and `diff` (`compare_only`); the data summary when
/// rows were compared. A table that failed is an error.
pub async fn run_with(args: SyncArgs, compare_only: bool) -> Result<Option<Summary>, Error> {
    check_flags(&args)?;
    let (main, standin) = endpoints(&args)?;
    let dry_run = args.dry_run || compare_only;
    // Before anything is written (the schema phase, pgsyncer's state, FDW objects).
    ensure_distinct(&main, &standin, &args).await?;
    // `sync --dry-run` plans the tables the standin lacks: a real run would create them.
    let schema_phase_creates = args.sync_schema && !compare_only;
    super::preflight::check(&main, &standin, &args, schema_phase_creates).await?;
    if args.sync_schema && !compare_only {
        let options = crate::schema_sync::SchemaSyncOptions {
            filter: crate::catalog::SchemaFilter::from_args(&args.schema),
            tables: TableFilter::new(&args.include, &args.exclude),
            clean_extra: args.clean_extra,
            dry_run,
            access: args.access.options().map_err(Error::Usage)?,
            create_roles: args.create_roles,
        };
        schema_phase(&main, &standin, &options).await?;
    }
    if !args.sync_data {
        return Ok(None);
    }
    let options = options(&args, dry_run);
    let summary = match data::sync_data(&main, &standin, &options).await {
        Ok(summary) => summary,
        // What finished is worth knowing even when the run could not go on.
        Err(data::DataError::Stopped {
            progress,
            summary,
            source,
        }) => {
            report(&summary, args.json);
            return Err(Error::Data(data::DataError::Stopped {
                progress,
                summary,
                source,
            }));
        }
        Err(e) => return Err(e.into()),
    };
    report(&summary, args.json);
    finish(&summary)?;
    Ok(Some(summary))
}

/// Flags that make no sense together (exit 2).
fn check_flags(args: &SyncArgs) -> Result<(), Error> {
    if args.last_sync_time.is_some() && !args.use_updated_at {
        return Err(Error::Usage(
            "--last-sync-time applies only with --use-updated-at: add --use-updated-at, or drop --last-sync-time".into(),
        ));
    }
    Ok(())
}

/// Main and standin must be two databases, and the standin writable
/// ([`crate::conn::identity`]); the messages name both DSNs, masked.
async fn ensure_distinct(
    main: &Endpoint,
    standin: &Endpoint,
    args: &SyncArgs,
) -> Result<(), Error> {
    let masked =
        |dsn: Option<&crate::cli::Dsn>| dsn.map(|d| mask_dsn(d.as_str())).unwrap_or_default();
    crate::conn::identity::ensure_distinct(
        main,
        standin,
        &masked(args.maindsn.as_ref()),
        &masked(args.standindsn.as_ref()),
    )
    .await?;
    Ok(())
}

pub fn endpoints(args: &SyncArgs) -> Result<(Endpoint, Endpoint), Error> {
    let main_dsn = args
        .maindsn
        .as_deref()
        .ok_or_else(|| Error::Usage("--maindsn (or PGSYNCER_MAINDSN) is required".into()))?;
    let standin_dsn = args
        .standindsn
        .as_deref()
        .ok_or_else(|| Error::Usage("--standindsn (or PGSYNCER_STANDINDSN) is required".into()))?;
    let timeout = args.connect.connect_timeout;
    Ok((
        Endpoint::parse(Side::Main, main_dsn, timeout)?,
        Endpoint::parse(Side::Standin, standin_dsn, timeout)?.with_lock_timeout(args.lock_timeout),
    ))
}

/// The data sync's options from the command line.
pub fn options(args: &SyncArgs, dry_run: bool) -> Options {
    Options {
        schemas: (!args.schema.all_schemas).then(|| args.schema.schemas.clone()),
        filter: TableFilter::new(&args.include, &args.exclude),
        chunk_size: args.chunk_size,
        workers: args.workers,
        dry_run,
        disable_triggers: args.disable_triggers,
        clean_extra: args.clean_extra,
        progress: !args.json && std::io::stderr().is_terminal(),
        incremental: args
            .use_updated_at
            .then(|| data::incremental::IncrementalOptions {
                column: args.updated_at_column.clone(),
                last_sync_time: args.last_sync_time.and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                }),
                margin_seconds: args.watermark_margin.as_secs_f64(),
                deletes: !args.no_deletes,
            }),
        fdw: args.fdw_mode.then(|| data::fdw::FdwOptions {
            host: args.fdw_host.clone(),
            port: args.fdw_port,
            keep: args.fdw_keep,
            fetch_size: args.chunk_size,
        }),
        show_keys: args.show_keys,
    }
}

/// The schema phase: make the standin's schema match main's before the rows move
/// ([`crate::schema_sync::sync_schema`]: plan, then apply in one transaction). What it
/// applies, or with `dry_run` the whole plan, is printed on stderr (stdout is the data
/// summary's, plain or `--json`).
pub async fn schema_phase(
    main: &Endpoint,
    standin: &Endpoint,
    options: &crate::schema_sync::SchemaSyncOptions,
) -> Result<(), Error> {
    let clean_extra = options.clean_extra;
    tracing::info!("schema phase: reading both schemas and planning");
    let report = crate::schema_sync::sync_schema(main, standin, options).await?;
    if let Some(warning) = report.plan.not_synced_warning() {
        tracing::warn!("{warning}");
    }
    if !report.plan.extra_objects.is_empty() {
        let names: Vec<String> = report
            .plan
            .extra_objects
            .iter()
            .map(|o| crate::quote::inert(o))
            .collect();
        tracing::warn!(
            "{} object(s) exist only in the standin and were kept ({}): {}",
            names.len(),
            if clean_extra {
                "out of the --include/--exclude scope, or needed by a table that is"
            } else {
                "pass --clean-extra to drop them"
            },
            names.join(", ")
        );
    }
    let mut err = std::io::stderr().lock();
    // A failed write to stderr is not worth failing the sync for.
    let _ = std::io::Write::write_all(&mut err, schema_text(&report, options.dry_run).as_bytes());
    Ok(())
}

/// What the schema phase prints. With `dry_run`, the whole plan as `plan` would write it
/// (every name in its comments inert; the SQL's own control characters escaped too, since
/// this is for a terminal, not for `psql`). Otherwise one line per statement applied:
/// every drop and every statement with a hazard in full (unless it spans lines, as a
/// view's body does), with its hazards; the others as what they did to which object.
/// Then the count.
pub fn schema_text(report: &crate::schema_sync::SchemaSyncReport, dry_run: bool) -> String {
    use crate::plan::Action;
    use crate::quote::inert;
    let mut out = String::new();
    if dry_run {
        if !report.plan.statements.is_empty() {
            out.push_str("schema plan (--dry-run: nothing applied):\n");
            let body = crate::plan::render_body(&report.plan);
            let lines: Vec<String> = body.lines().map(str::to_string).collect();
            out.push_str(&crate::quote::inert_lines(&lines));
            out.push('\n');
        }
    } else if report.applied > 0 {
        for statement in &report.plan.statements {
            let full = (statement.action == Action::Drop || !statement.hazards.is_empty())
                && !statement.sql.contains('\n');
            let mut line = if full {
                format!("schema: {}", inert(&statement.sql))
            } else {
                let action = match statement.action {
                    Action::Create => "created",
                    Action::Alter => "altered",
                    Action::Drop => "dropped",
                    Action::Replace => "replaced",
                };
                format!("schema: {action} {}", inert(&statement.object))
            };
            for hazard in &statement.hazards {
                line.push_str(&format!(
                    "  -- HAZARD ({}): {}",
                    hazard.kind.label(),
                    inert(&hazard.message)
                ));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "schema phase: {} statement(s) planned, {} applied\n",
        report.planned(),
        report.applied
    ));
    out
}

pub fn report(summary: &Summary, json: bool) {
    if json {
        println!("{}", summary.to_json());
    } else {
        print!("{}", summary.render());
    }
}

/// An error when any table failed (the others were synced), naming each failed table
/// once with its error: the summary only marks them.
pub fn finish(summary: &Summary) -> Result<(), Error> {
    let failed: Vec<&data::TableSummary> = summary.failures().collect();
    if failed.is_empty() {
        return Ok(());
    }
    Err(Error::Data(data::DataError::TablesFailed {
        failed: failed.len(),
        total: summary.tables.len(),
        tables: summary.failure_report(),
    }))
}
