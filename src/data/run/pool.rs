//! The run: [`sync_data`] reads what must be read before the snapshot (watermark, main's
//! write counts), starts the coordinator's snapshot, pairs the tables, and hands FK groups
//! to `--workers` workers, largest first. A group is one standin transaction: its tables
//! written parents first (each by its [`crate::data::strategy`]), deletes applied children
//! first, so a failure or Ctrl-C leaves every table of the group as it was.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU32;
use std::sync::Mutex;
use std::time::Instant;

use crate::conn::{Endpoint, Session, Side};
use crate::data::error::{DataError, QueryContext};
use crate::data::run::order::{self, Group};
use crate::data::run::progress::Progress;
use crate::data::run::session::{self, Coordinator};
use crate::data::run::summary::{self, Summary, TableSummary};
use crate::data::run::{activity, watermark};
use crate::data::strategy::{self, Outcome};
use crate::data::table_ctx::TableCtx;
use crate::data::tables::{self, TablePair};
use crate::data::{error, write, Options};
use crate::quote::qualified;

/// Sync (or with `dry_run`, compare) every selected table. Tables that fail are rolled back
/// and reported in the summary (`error`); see [`Summary::failures`].
pub async fn sync_data(
    main: &Endpoint,
    standin: &Endpoint,
    options: &Options,
) -> Result<Summary, DataError> {
    let started = Instant::now();
    // Read on main before the snapshot exists: see `watermark` and `activity` for why.
    let before = session::open(main).await?;
    let identity = watermark::identity(&before, main).await?;
    let safe = match &options.incremental {
        Some(i) if !options.dry_run => {
            Some(watermark::safe_point(&before, identity.clone(), i.margin_seconds).await?)
        }
        _ => None,
    };
    let control = session::open(standin).await?;
    let activity = activity::Activity::read(&before, identity, &control, !options.dry_run).await;
    drop(before);
    let coordinator = Coordinator::start(main).await?;
    let schemas = options.schemas.as_deref();
    let (main_tables, standin_tables) = tokio::try_join!(
        tables::load_tables(&coordinator.session, schemas),
        tables::load_tables(&control, schemas)
    )?;
    let binary_ok =
        server_encoding(&coordinator.session).await? == server_encoding(&control).await?;

    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let mut pairs: Vec<TablePair> = Vec::new();
    for m in main_tables
        .iter()
        .filter(|t| t.schema != watermark::STATE_SCHEMA)
        .filter(|t| options.filter.selects(&t.schema, &t.name))
    {
        match standin_tables
            .iter()
            .find(|s| s.schema == m.schema && s.name == m.name)
        {
            Some(s) => {
                let pair = tables::pair(m, s, binary_ok);
                if pair.columns.is_empty() {
                    // Nothing to write: every common column is generated on the standin.
                    tracing::warn!(
                        "{}: no column to sync: skipped",
                        crate::quote::inert(&qualified(&m.schema, &m.name))
                    );
                    continue;
                }
                pairs.push(pair);
            }
            None => {
                tracing::warn!(
                    "{} is not in the standin: skipped",
                    crate::quote::inert(&qualified(&m.schema, &m.name))
                );
                summary.missing_in_standin.push(m.qualified_name());
            }
        }
    }
    let extra: Vec<String> = standin_tables
        .iter()
        .filter(|s| s.schema != watermark::STATE_SCHEMA)
        .filter(|s| options.filter.selects(&s.schema, &s.name))
        .filter(|s| {
            !main_tables
                .iter()
                .any(|m| m.schema == s.schema && m.name == s.name)
        })
        .map(|s| s.qualified_name())
        .collect();
    if options.clean_extra && !extra.is_empty() {
        if !options.dry_run {
            let names: Vec<String> = standin_tables
                .iter()
                .filter(|s| extra.contains(&s.qualified_name()))
                .map(|s| qualified(&s.schema, &s.name))
                .collect();
            drop_extra_tables(&control, &names).await?;
        }
        summary.dropped = extra;
    }

    let modes = strategy::mode::Modes::start(
        main,
        &control,
        &pairs,
        safe,
        options.incremental.as_ref(),
        options.fdw.as_ref(),
        options.dry_run,
    )
    .await?;
    let groups = order::groups(&pairs);
    let groups_len = groups.len();
    let queue = Mutex::new(groups.into_iter().collect::<VecDeque<Group>>());
    let results: Mutex<Vec<Option<TableSummary>>> = Mutex::new(vec![None; pairs.len()]);
    let progress = if options.progress {
        Progress::new(true)
    } else {
        Progress::hidden()
    };
    let workers = (options.workers.max(1) as usize).min(pairs.len().max(1));
    tracing::info!(
        "data phase: {} table(s) in {} group(s), {workers} worker(s)",
        pairs.len(),
        groups_len
    );
    let run = Run {
        pairs: &pairs,
        options,
        progress: &progress,
        modes: &modes,
        activity: activity.as_ref(),
    };
    let worker_runs =
        (0..workers).map(|_| worker(main, standin, &coordinator, &run, &queue, &results));
    let outcomes = futures_util::future::join_all(worker_runs).await;
    let note = modes.note().filter(|_| !options.dry_run);
    // Cleanup first (the FDW user mapping holds main's password), then the first error.
    let cleanup = modes.finish(&control).await;
    let mut stopped = outcomes.into_iter().find_map(Result::err);
    if let Err(e) = cleanup {
        stopped.get_or_insert(e);
    }
    if stopped.is_none() {
        let synced: Vec<(String, String)> = pairs
            .iter()
            .map(|p| (p.schema.clone(), p.name.clone()))
            .collect();
        let sequences = write::sequences::sync(
            &coordinator.session,
            &control,
            schemas,
            &options.filter,
            &synced,
            options.dry_run,
        )
        .await;
        match sequences {
            Ok(set) => summary.sequences_set = set,
            Err(e) => stopped = Some(e),
        }
    }
    if stopped.is_none() {
        if let Err(e) = coordinator.finish().await {
            stopped = Some(e);
        }
    }

    if stopped.is_none() {
        // Only a run that finished may announce the watermark of the next one.
        summary.notes.extend(note);
    }
    let slots = results
        .into_inner()
        .map_err(|_| DataError::Worker("a worker panicked".into()))?;
    let mut tables: Vec<TableSummary> = slots
        .into_iter()
        .zip(&pairs)
        .map(|(slot, pair)| slot.unwrap_or_else(|| not_started(pair)))
        .collect();
    tables.sort_by(|a, b| a.table.cmp(&b.table));
    summary.tables = tables;
    summary.seconds = started.elapsed().as_secs_f64();
    match stopped {
        None => Ok(summary),
        Some(source) => Err(DataError::Stopped {
            progress: [
                format!("  {}", summary.progress()),
                summary.failure_report(),
            ]
            .join("\n")
            .trim_end()
            .to_string(),
            summary: Box::new(summary),
            source: Box::new(source),
        }),
    }
}

/// The summary row of a table the run stopped before reaching.
fn not_started(pair: &TablePair) -> TableSummary {
    TableSummary {
        table: pair.qualified_name(),
        key: pair.key_description(),
        mode: summary::NOT_STARTED.to_string(),
        ..TableSummary::default()
    }
}

async fn server_encoding(session: &Session) -> Result<String, DataError> {
    let row = session
        .query_one("SELECT current_setting('server_encoding')", &[])
        .await
        .ctx(session.side, || "reading server_encoding".to_string())?;
    Ok(row.get(0))
}

/// What every worker shares for one run.
struct Run<'a> {
    pairs: &'a [TablePair],
    options: &'a Options,
    progress: &'a Progress,
    modes: &'a strategy::mode::Modes,
    activity: Option<&'a activity::Activity>,
}

/// One worker: takes groups off the queue until it is empty. A failed group is recorded and
/// its sessions replaced (a failed statement may have ended them).
async fn worker(
    main: &Endpoint,
    standin: &Endpoint,
    coordinator: &Coordinator,
    run: &Run<'_>,
    queue: &Mutex<VecDeque<Group>>,
    results: &Mutex<Vec<Option<TableSummary>>>,
) -> Result<(), DataError> {
    let (pairs, options, modes) = (run.pairs, run.options, run.modes);
    let mut sessions: Option<(Session, Session)> = None;
    // `--fdw-mode` reads the standin's bucket sums on a second standin session while main's
    // come through the first (see `fdw::compare_buckets`).
    let mut reader: Option<Session> = None;
    loop {
        let Some(group) = queue
            .lock()
            .map_err(|_| DataError::Worker("queue lock".into()))?
            .pop_front()
        else {
            return Ok(());
        };
        if sessions.is_none() {
            let m = coordinator.worker_session(main).await?;
            let s = session::open(standin).await?;
            sessions = Some((m, s));
        }
        if reader.is_none() && modes.fdw.is_some() && !options.dry_run {
            reader = Some(session::open(standin).await?);
        }
        let Some((m, s)) = sessions.as_ref() else {
            continue;
        };
        match sync_group(m, s, reader.as_ref(), &group, run).await {
            Ok(done) => {
                let mut slots = results
                    .lock()
                    .map_err(|_| DataError::Worker("results lock".into()))?;
                for (i, t) in done {
                    slots[i] = Some(t);
                }
            }
            Err((failed, error)) => {
                // Reported once, at the end of the run (`Summary::failure_report`).
                let error = explain_row_security(error, failed.map(|f| &pairs[f]), main, standin);
                let message = crate::report::report(&error);
                tracing::info!("{}: failed, rolled back", group_names(pairs, &group));
                let mut slots = results
                    .lock()
                    .map_err(|_| DataError::Worker("results lock".into()))?;
                for &i in &group.tables {
                    let t = &pairs[i];
                    slots[i] = Some(TableSummary {
                        table: t.qualified_name(),
                        key: t.key_description(),
                        mode: "failed".to_string(),
                        error: Some(match failed {
                            Some(f) if f != i => {
                                format!("rolled back with {}", pairs[f].qualified_name())
                            }
                            _ => message.clone(),
                        }),
                        ..TableSummary::default()
                    });
                }
                sessions = None;
                reader = None;
            }
        }
    }
}

/// `public.a, public.b`: the tables of a group, for a log line.
fn group_names(pairs: &[TablePair], group: &Group) -> String {
    group
        .tables
        .iter()
        .map(|&i| pairs[i].qualified_name())
        .collect::<Vec<_>>()
        .join(", ")
}

type GroupError = (Option<usize>, DataError);

/// A table's failure, named for what it is when a row-level security policy caused it: the
/// side, the table, the role and what to do ([`DataError::RowSecurity`]).
fn explain_row_security(
    error: DataError,
    table: Option<&TablePair>,
    main: &Endpoint,
    standin: &Endpoint,
) -> DataError {
    let (Some(side), Some(table)) = (error::row_security_side(&error), table) else {
        return error;
    };
    let endpoint = if side == Side::Main { main } else { standin };
    DataError::RowSecurity {
        side,
        table: table.qualified_name(),
        role: endpoint.resolved().user.clone(),
        pattern: format!("{}.{}", table.schema, table.name),
        source: Box::new(error),
    }
}

/// Sync one group of tables in one standin transaction. `reader`, a second standin session
/// outside that transaction, may serve reads of the group's first table, before anything in
/// the transaction wrote (so both sessions see the same rows).
async fn sync_group(
    main: &Session,
    standin: &Session,
    reader: Option<&Session>,
    group: &Group,
    run: &Run<'_>,
) -> Result<Vec<(usize, TableSummary)>, GroupError> {
    let (pairs, options, progress, modes) = (run.pairs, run.options, run.progress, run.modes);
    let whole = |e: DataError| (None, e);
    let begin = if options.dry_run {
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    } else {
        "BEGIN; SET CONSTRAINTS ALL DEFERRED"
    };
    standin
        .batch_execute(begin)
        .await
        .ctx(Side::Standin, || begin.to_string())
        .map_err(whole)?;
    let mut reenable: Vec<String> = Vec::new();
    if !options.dry_run {
        let want_replica = !group.hard_cycles.is_empty()
            || (options.disable_triggers
                && group
                    .tables
                    .iter()
                    .any(|&i| pairs[i].standin_user_triggers > 0));
        if want_replica {
            let replica = standin
                .batch_execute(
                    "SAVEPOINT pgsyncer_role; SET LOCAL session_replication_role = replica",
                )
                .await;
            if let Err(e) = replica {
                tracing::debug!("standin: cannot set session_replication_role: {e}");
                standin
                    .batch_execute("ROLLBACK TO SAVEPOINT pgsyncer_role")
                    .await
                    .ctx(Side::Standin, || "ROLLBACK TO SAVEPOINT".to_string())
                    .map_err(whole)?;
                if let Some(cycle) = group.hard_cycles.first() {
                    let _ = standin.batch_execute("ROLLBACK").await;
                    return Err((
                        None,
                        DataError::Cycle {
                            cycle: cycle.clone(),
                        },
                    ));
                }
                // Not a superuser: disable the user triggers table by table (needs ownership;
                // transactional, so a failure re-enables them).
                for &i in &group.tables {
                    if pairs[i].standin_user_triggers > 0 {
                        let name = qualified(&pairs[i].schema, &pairs[i].name);
                        let sql = format!("ALTER TABLE {name} DISABLE TRIGGER USER");
                        standin
                            .batch_execute(&sql)
                            .await
                            .ctx(Side::Standin, || sql.clone())
                            .map_err(whole)?;
                        reenable.push(format!("ALTER TABLE {name} ENABLE TRIGGER USER"));
                    }
                }
            }
        }
    }

    let counter = AtomicU32::new(0);
    let mut done: Vec<(usize, TableSummary, Outcome)> = Vec::new();
    for (position, &i) in group.tables.iter().enumerate() {
        let table = &pairs[i];
        let bar = progress.table(&table.qualified_name());
        let started = Instant::now();
        let ctx = TableCtx {
            main,
            standin,
            chunk_size: options.chunk_size,
            dry_run: options.dry_run,
            bar: &bar,
            temp_counter: &counter,
            show_keys: options.show_keys,
            standin_reader: reader.filter(|_| position == 0),
            main_writes: run
                .activity
                .and_then(|a| a.writes_since(&table.schema, &table.name)),
            main_deletes: run
                .activity
                .and_then(|a| a.deletes_since(&table.schema, &table.name)),
        };
        let table_run = async {
            let done = if modes.any() {
                modes.run_table(&ctx, table).await?
            } else {
                let strategy = strategy::choose(&ctx, table).await?;
                let outcome = strategy::run(&ctx, table, strategy).await?;
                (strategy.label().to_string(), outcome)
            };
            // Main's write count for the next run's hint, committed with the table's rows.
            if let Some(sql) = run
                .activity
                .filter(|_| !options.dry_run)
                .and_then(|a| a.record_sql(&table.schema, &table.name))
            {
                standin.batch_execute(&sql).await.ctx(Side::Standin, || {
                    "recording main's write count in pgsyncer.main_activity".to_string()
                })?;
            }
            Ok::<_, DataError>(done)
        };
        let (label, mut outcome) = match table_run.await {
            Ok(r) => r,
            Err(e) => {
                bar.finish();
                let _ = standin.batch_execute("ROLLBACK").await;
                return Err((
                    Some(i),
                    DataError::Table {
                        table: table.qualified_name(),
                        source: Box::new(e),
                    },
                ));
            }
        };
        bar.finish();
        tracing::info!(
            "{}: {label}: {} main row(s); {} inserted, {} updated, {} deleted{} ({:.2} s)",
            table.qualified_name(),
            outcome.main_rows,
            outcome.inserted,
            outcome.updated,
            outcome.deleted,
            if options.dry_run {
                " (dry run: differences only)"
            } else {
                ""
            },
            started.elapsed().as_secs_f64()
        );
        let summary = TableSummary {
            table: table.qualified_name(),
            key: table.key_description(),
            mode: label,
            main_rows: outcome.main_rows,
            inserted: outcome.inserted,
            updated: outcome.updated,
            deleted: outcome.deleted,
            chunks_skipped: outcome.chunks_skipped,
            chunks_total: outcome.chunks_total,
            seconds: started.elapsed().as_secs_f64(),
            error: None,
            keys: std::mem::take(&mut outcome.keys),
            by_totals: outcome.by_totals,
        };
        done.push((i, summary, outcome));
    }
    // Deletes, children first.
    for (i, summary, outcome) in done.iter_mut().rev() {
        if let Some(pending) = &outcome.pending {
            let started = Instant::now();
            let table = &pairs[*i];
            if let Err(e) = strategy::apply_deletes(standin, table, pending).await {
                let _ = standin.batch_execute("ROLLBACK").await;
                return Err((
                    Some(*i),
                    DataError::Table {
                        table: table.qualified_name(),
                        source: Box::new(e),
                    },
                ));
            }
            summary.seconds += started.elapsed().as_secs_f64();
        }
    }
    let mut end = reenable.join("; ");
    if !end.is_empty() {
        end.push_str("; ");
    }
    end.push_str(if options.dry_run {
        "ROLLBACK"
    } else {
        "COMMIT"
    });
    let commit_started = Instant::now();
    standin
        .batch_execute(&end)
        .await
        .ctx(Side::Standin, || {
            "committing the group's changes".to_string()
        })
        .map_err(|e| (group.tables.first().copied(), e))?;
    let commit_seconds = commit_started.elapsed().as_secs_f64();
    Ok(done
        .into_iter()
        .map(|(i, mut s, _)| {
            // Deferred constraint checks run at commit: charge them to the group's tables.
            s.seconds += commit_seconds / group.tables.len().max(1) as f64;
            (i, s)
        })
        .collect())
}

/// Drop the standin-only tables `--clean-extra` selected (already bounded by `--schema`,
/// `--include` and `--exclude`), in one statement so that tables referencing each other go
/// together, and without `CASCADE`: an object outside that list which depends on one of
/// them (a view, another table's foreign key) makes the drop fail with the server's
/// message instead of vanishing with it. Said on stderr before it runs.
async fn drop_extra_tables(control: &Session, tables: &[String]) -> Result<(), DataError> {
    let sql = format!("DROP TABLE {}", tables.join(", "));
    eprintln!(
        "data: {}  -- HAZARD (deletes data): standin-only tables and their rows",
        crate::quote::inert(&sql)
    );
    control.batch_execute(&sql).await.ctx(Side::Standin, || {
        format!("dropping standin-only tables: {sql}")
    })
}
