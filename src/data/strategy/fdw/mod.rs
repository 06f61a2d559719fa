//! `--fdw-mode`: rows move server-side, main → standin through `postgres_fdw` on the
//! standin, never through pgsyncer.
//!
//! # Setup and cleanup
//! On the standin: `CREATE EXTENSION IF NOT EXISTS postgres_fdw` (into the `pgsyncer`
//! schema, so the standin's own schemas stay as main's), a server `pgsyncer_main` (main's
//! host, port and database, or `--fdw-host` / `--fdw-port`; remote sessions read-only), a
//! user mapping with main's user and password (sent as COPY data, never in a statement's
//! text: [`user_mapping_block`]), and `IMPORT FOREIGN SCHEMA … LIMIT TO (the synced tables)`
//! into one staging schema `pgsyncer_fdw_<n>` per main schema. Afterwards all of it is
//! dropped (the extension too when this run created it), so main's password does not stay
//! in the standin's catalog; `--fdw-keep` keeps it. SIGINT/SIGTERM drop it too
//! ([`remove_after_stop`], from [`crate::interrupt`]). The objects carry a comment saying
//! whether they are in use or kept: every later run that reads rows (diff and `--dry-run`
//! too) drops what a killed run left. A session advisory lock, held by an FDW run for as
//! long as its objects exist, keeps two FDW runs on one standin apart and tells a live
//! run's objects from a dead one's.
//!
//! # Per table (inside the group's standin transaction)
//! - empty standin table: `INSERT INTO t SELECT … FROM foreign` (indexes dropped and rebuilt
//!   around it for large tables, as the default mode's COPY). This is about twice the default
//!   mode's COPY: postgres_fdw moves rows as text through one cursor, and main producing a
//!   batch and the standin parsing and inserting it take turns instead of overlapping;
//!   `fetch_size` above a thousand changes nothing measurable.
//! - keyed: hash buckets as in the default mode ([`crate::data::compare::buckets`]): per bucket of the key's
//!   fingerprint, row count and sum of row fingerprints, once over the foreign table
//!   (postgres_fdw pushes the whole `GROUP BY` down: main computes it, 2^k small rows cross)
//!   and once over the standin table. Main's rows of the differing buckets (a `get_bit`
//!   bitmap condition, also evaluated on main) go into a temporary stage, which is
//!   [`merge`](crate::data::write::merge)d (`ON CONFLICT (key) DO UPDATE … WHERE row IS DISTINCT FROM`);
//!   the standin's keys of those buckets missing from the stage are deleted (after the
//!   group's writes, children first);
//! - keyless: the same buckets over the row fingerprint; main's rows of differing buckets
//!   are staged and compared with the standin's rows of those buckets as multisets; missing
//!   copies inserted, surplus copies deleted;
//! - with `--use-updated-at` and a watermark: only `updated_at >= watermark` rows are read
//!   and merged (the condition is pushed down to main); deletes are found by buckets of the
//!   key alone (count and key-fingerprint sum).
//!
//! The fingerprints must be computable by main through postgres_fdw, which ships only
//! immutable built-in functions and no collation but a column's own: no cast through text,
//! no `COLLATE "C"`, no `COALESCE` (see [`fdw_hashes`]). Columns of other types (enums,
//! domains, composites, …) or whose type differs between the sides are compared apart: a
//! second pair of bucket sums over the key and those columns, which postgres_fdw cannot push
//! down, so main's values of just those columns cross and are hashed on the standin. A key
//! of such a type, a keyless table with such a column, a nondeterministic collation, or
//! servers of different encodings: the table is merged from every row of main as before
//! (`INSERT … ON CONFLICT` over the whole foreign table, main's keys compared in full).
//!
//! # Consistency
//! postgres_fdw runs one remote `REPEATABLE READ` transaction per local transaction and
//! reuses it for every foreign scan in it. A group of tables joined by foreign keys is one
//! standin transaction, so it is read from one snapshot of main and committed at once.
//! Independent groups are read from their own snapshots (taken when each group starts), not
//! the one exported snapshot the default mode shares: with `--workers 1` they still are. For
//! one snapshot across unrelated tables use the default mode. The bucket sums are read
//! through the foreign table as well (never through pgsyncer's own session on main), so a
//! table's comparison and the rows it moves come from the same snapshot.
//!
//! # Layout
//! This module is the strategy, step by step ([`sync_table`] picks the path per table);
//! [`setup`] holds the objects' setup, cleanup and leftovers, [`compare`] the server-side
//! comparison (fingerprints and bucket sums), [`write`] the statements that stage, merge,
//! insert and delete.

mod compare;
mod setup;
mod write;

pub use compare::{fdw_hashes, FdwHashes};
pub use setup::{
    clean_leftovers_if_idle, cleanup, remove_after_stop, server_options, setup, user_mapping_block,
    FdwError, FdwOptions, Staging, IN_USE, KEPT, SERVER, STAGE_PREFIX,
};
pub use write::{
    bucket_key_statements, gone_statement, insert_all, key_statements, keyless_statements,
    missing_keys_statement, respell_statements, stage_statements,
};

use compare::{compare_buckets, pulled_hash, shippable_hashes};
use write::{keyless_multisets, lacks_keys, merge_more, respell_gone, run_key_statements};

use crate::conn::Side;
use crate::data::compare::buckets::Buckets;
use crate::data::error::{DataError, QueryContext};
use crate::data::sql::TableSql;
use crate::data::strategy::{Outcome, PendingDelete};
use crate::data::table_ctx::{estimated_rows, TableCtx};
use crate::data::tables::TablePair;
use crate::data::write::indexes;
use crate::data::write::merge;
use crate::quote::ident;

/// Sync one table server-side; returns the summary's mode label and what was done.
pub async fn sync_table(
    ctx: &TableCtx<'_>,
    staging: &Staging,
    table: &TablePair,
    filter: Option<&str>,
    deletes: bool,
) -> Result<(String, Outcome), DataError> {
    let foreign = staging.foreign(table).ok_or_else(|| {
        DataError::Worker(format!("{}: no staging schema", table.qualified_name()))
    })?;
    let ssql = TableSql::new(table, Side::Standin);
    let exists = ssql.exists_any_row();
    let has_rows: bool = ctx
        .standin
        .query_one(&exists, &[])
        .await
        .ctx(Side::Standin, || exists.clone())?
        .get(0);
    if !has_rows {
        ctx.bar.message("fdw: inserting");
        let rebuild = if table.estimated_rows >= indexes::MIN_ROWS {
            Some(indexes::drop_for_load(ctx.standin, &table.schema, &table.name).await?)
        } else {
            None
        };
        let insert = insert_all(table, &foreign);
        let n = ctx
            .standin
            .execute(&insert, &[])
            .await
            .ctx(Side::Standin, || insert.clone())?;
        if let Some(rebuild) = rebuild {
            ctx.bar.message("building indexes");
            rebuild.run(ctx.standin).await?;
        }
        return Ok((
            "fdw-insert".to_string(),
            Outcome {
                main_rows: n,
                inserted: n,
                ..Outcome::default()
            },
        ));
    }
    let hashes = shippable_hashes(ctx, table).await?;
    if hashes.is_none() {
        tracing::debug!(
            "{}: a column type without a hash main can compute through postgres_fdw: every row is read",
            table.qualified_name()
        );
    }
    match (&table.key, hashes, filter) {
        (None, Some(h), _) => Ok((
            "fdw-merge".to_string(),
            keyless_by_buckets(ctx, table, &foreign, &h).await?,
        )),
        (None, None, _) => Ok((
            "fdw-merge".to_string(),
            keyless(ctx, table, &foreign).await?,
        )),
        (Some(_), Some(h), None) => Ok((
            "fdw-merge".to_string(),
            keyed_by_buckets(ctx, table, &foreign, &h).await?,
        )),
        (Some(_), h, _) => merge_all(ctx, table, &foreign, filter, deletes, h.as_ref()).await,
    }
}

/// Keyed, every row of main read (or with `filter`, the changed ones): one merge, then the
/// deleted keys, found by buckets of the key when `hashes` allow.
async fn merge_all(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    filter: Option<&str>,
    deletes: bool,
    hashes: Option<&FdwHashes>,
) -> Result<(String, Outcome), DataError> {
    ctx.bar.message("fdw: merging");
    let (inserted, updated) =
        merge::apply(ctx.standin, &merge::merge(table, foreign, filter)).await?;
    let mut out = Outcome {
        inserted,
        updated,
        ..Outcome::default()
    };
    if filter.is_none() || deletes {
        ctx.bar.message("fdw: comparing keys");
        let keys = ctx.temp_name("main_keys");
        let gone = ctx.temp_name("gone");
        match hashes.and_then(|h| h.key.as_deref()) {
            Some(key_hash) => {
                // Count and key-fingerprint sum per bucket of the key, both computed by main
                // (pushed down) and by the standin; only differing buckets' keys are read.
                let buckets = Buckets::for_server_rows(estimated_rows(ctx, table).await?);
                let ssql = TableSql::new(table, Side::Standin);
                let (mc, sc) = compare_buckets(
                    ctx,
                    buckets,
                    &buckets.aggregate_sql(&ssql.aliases(), foreign, key_hash, None),
                    &buckets.aggregate_sql(&ssql.aliases(), &ssql.relation(), key_hash, None),
                    // The merge above wrote to this table.
                    false,
                )
                .await?;
                out.main_rows = mc.rows();
                let differing = mc.differing(&sc);
                out.chunks_total = buckets.count() as u64;
                out.chunks_skipped = (buckets.count() - differing.len()) as u64;
                if !differing.is_empty() {
                    let where_ = buckets.filter(key_hash, &differing);
                    let [collect, find] =
                        bucket_key_statements(table, foreign, &keys, &gone, &where_);
                    out.deleted = run_key_statements(ctx, &keys, &collect, &find).await?.1;
                    if filter.is_some() {
                        // Keys main has and the standin lacks (a row the watermark missed,
                        // or one lost on the standin) are in these buckets too.
                        merge_more(ctx, table, foreign, Some(&where_), &mut out).await?;
                    }
                }
            }
            None => {
                let (collect, find) = key_statements(table, foreign, &keys, &gone);
                (out.main_rows, out.deleted) =
                    run_key_statements(ctx, &keys, &collect, &find).await?;
                if filter.is_some() && lacks_keys(ctx, table, &keys).await? {
                    merge_more(ctx, table, foreign, None, &mut out).await?;
                }
            }
        }
        let inexact = table.key_columns().iter().any(|c| !c.exact);
        if filter.is_some() && inexact && out.deleted > 0 {
            let (updated, kept) = respell_gone(ctx, table, foreign, &gone).await?;
            out.updated += updated;
            out.deleted = out.deleted.saturating_sub(kept);
        }
        if out.deleted > 0 {
            out.pending = Some(PendingDelete::Keys { keys: gone });
        }
    }
    let label = if filter.is_some() {
        "fdw-incremental"
    } else {
        "fdw-merge"
    };
    Ok((label.to_string(), out))
}

/// Keyed, full comparison: per bucket of the key, count and row-fingerprint sum on both
/// sides; main's rows of differing buckets are pulled into a stage table and merged, and the
/// standin's keys of those buckets that main lacks are deleted.
async fn keyed_by_buckets(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    hashes: &FdwHashes,
) -> Result<Outcome, DataError> {
    let Some(key_hash) = hashes.key.as_deref() else {
        return Err(DataError::Worker(format!(
            "{}: no key fingerprint",
            table.qualified_name()
        )));
    };
    ctx.bar.message("fdw: comparing buckets");
    let buckets = Buckets::for_server_rows(estimated_rows(ctx, table).await?);
    let ssql = TableSql::new(table, Side::Standin);
    let (mc, sc) = compare_buckets(
        ctx,
        buckets,
        &buckets.aggregate_sql(&ssql.aliases(), foreign, key_hash, Some(&hashes.row)),
        &buckets.aggregate_sql(
            &ssql.aliases(),
            &ssql.relation(),
            key_hash,
            Some(&hashes.row),
        ),
        true,
    )
    .await?;
    let mut differing = mc.differing(&sc);
    if !hashes.pulled.is_empty() {
        // Not pushed down: postgres_fdw reads the key and these columns of every row.
        ctx.bar.message("fdw: comparing pulled columns");
        let (mp, sp) = compare_buckets(
            ctx,
            buckets,
            &buckets.aggregate_sql(
                &ssql.aliases(),
                foreign,
                key_hash,
                Some(&pulled_hash(table, &hashes.pulled, Side::Main)),
            ),
            &buckets.aggregate_sql(
                &ssql.aliases(),
                &ssql.relation(),
                key_hash,
                Some(&pulled_hash(table, &hashes.pulled, Side::Standin)),
            ),
            true,
        )
        .await?;
        differing.extend(mp.differing(&sp));
        differing.sort_unstable();
        differing.dedup();
    }
    let mut out = Outcome {
        main_rows: mc.rows(),
        chunks_total: buckets.count() as u64,
        chunks_skipped: (buckets.count() - differing.len()) as u64,
        ..Outcome::default()
    };
    ctx.bar.set_chunks(out.chunks_total);
    ctx.bar.chunks_done(out.chunks_skipped);
    if differing.is_empty() {
        return Ok(out);
    }
    ctx.bar.message("fdw: merging differing buckets");
    let where_ = buckets.filter(key_hash, &differing);
    let stage = ctx.temp_name("stage");
    let gone = ctx.temp_name("gone");
    let [create, fill] = stage_statements(table, foreign, &stage, &where_);
    for s in [&create, &fill] {
        ctx.standin
            .execute(s.as_str(), &[])
            .await
            .ctx(Side::Standin, || crate::data::write::copy::brief(s))?;
    }
    let (inserted, updated) =
        merge::apply(ctx.standin, &merge::merge(table, &ident(&stage), None)).await?;
    out.inserted = inserted;
    out.updated = updated;
    let find = gone_statement(table, &stage, &gone, &where_);
    out.deleted = ctx
        .standin
        .execute(&find, &[])
        .await
        .ctx(Side::Standin, || crate::data::write::copy::brief(&find))?;
    if out.deleted > 0 {
        out.pending = Some(PendingDelete::Keys { keys: gone });
    }
    Ok(out)
}

/// Keyless: buckets of the row fingerprint; main's rows of differing buckets are pulled into
/// a stage table and compared there as multisets with the standin's rows of those buckets.
async fn keyless_by_buckets(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    hashes: &FdwHashes,
) -> Result<Outcome, DataError> {
    ctx.bar.message("fdw: comparing buckets");
    let buckets = Buckets::for_server_rows(estimated_rows(ctx, table).await?);
    let ssql = TableSql::new(table, Side::Standin);
    let (mc, sc) = compare_buckets(
        ctx,
        buckets,
        &buckets.aggregate_sql(&ssql.aliases(), foreign, &hashes.row, None),
        &buckets.aggregate_sql(&ssql.aliases(), &ssql.relation(), &hashes.row, None),
        true,
    )
    .await?;
    let differing = mc.differing(&sc);
    let chunks_total = buckets.count() as u64;
    let chunks_skipped = (buckets.count() - differing.len()) as u64;
    ctx.bar.set_chunks(chunks_total);
    ctx.bar.chunks_done(chunks_skipped);
    if differing.is_empty() {
        return Ok(Outcome {
            main_rows: mc.rows(),
            chunks_total,
            chunks_skipped,
            ..Outcome::default()
        });
    }
    let where_ = buckets.filter(&hashes.row, &differing);
    let stage = ctx.temp_name("stage");
    let [create, fill] = stage_statements(table, foreign, &stage, &where_);
    for s in [&create, &fill] {
        ctx.standin
            .execute(s.as_str(), &[])
            .await
            .ctx(Side::Standin, || crate::data::write::copy::brief(s))?;
    }
    let mut out = keyless_multisets(ctx, table, &ident(&stage), Some(&where_)).await?;
    out.main_rows = mc.rows();
    out.chunks_total = chunks_total;
    out.chunks_skipped = chunks_skipped;
    Ok(out)
}

async fn keyless(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
) -> Result<Outcome, DataError> {
    keyless_multisets(ctx, table, foreign, None).await
}

#[cfg(test)]
mod tests {
    use super::compare::shippable_column_hash;
    use super::setup::login_table_sql;
    use super::*;
    use crate::data::alias;
    use crate::data::write::merge::tests::table;
    use crate::quote::qualified;

    #[test]
    fn fdw_statements() {
        let t = table(true);
        let foreign = qualified("pgsyncer_fdw_0", &t.name);
        let (keys, gone) = key_statements(&t, &foreign, "k", "g");
        let mut all = vec![insert_all(&t, &foreign), keys, gone];
        all.extend(keyless_statements(
            &t,
            &foreign,
            ["fm", "sm", "sur", "lack"],
            None,
        ));
        let h = fdw_hashes(&t).expect("shippable");
        let key = h.key.clone().expect("keyed");
        let b = Buckets::for_rows(1000.0);
        let where_ = b.filter(&key, &[1, 9]);
        all.push(b.aggregate_sql(&alias::Aliases::of(&t), &foreign, &key, Some(&h.row)));
        all.extend(stage_statements(&t, &foreign, "st", &where_));
        all.push(gone_statement(&t, "st", "g", &where_));
        all.extend(bucket_key_statements(&t, &foreign, "k", "g", &where_));
        all.extend(keyless_statements(
            &t,
            "st",
            ["fm", "sm", "sur", "lack"],
            Some(&b.filter(&h.row, &[0])),
        ));
        for s in &all {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        insta::assert_snapshot!(all.join("\n"));
    }

    #[test]
    fn respelling_statements_parse() {
        let mut t = table(false);
        t.columns[0].exact = false;
        let (merge, prune) = respell_statements(&t, "\"pgsyncer_fdw_0\".\"Orders\"", "g");
        let merge::Merge::UpdateThenInsert {
            update: Some(update),
            insert,
        } = merge
        else {
            panic!("a deferrable key updates, then inserts: {merge:?}");
        };
        assert!(update.contains("SET id = pgsyncer_s.id"), "{update}");
        assert!(
            prune.contains("pgsyncer_t.id::text COLLATE \"C\""),
            "{prune}"
        );
        for s in [&update, &insert, &prune] {
            pg_query::parse(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        }
    }

    #[test]
    fn user_mapping_block_holds_no_secret() {
        let (begin, copy) = login_table_sql();
        for (sql, password) in [
            (user_mapping_block(true), true),
            (user_mapping_block(false), false),
        ] {
            pg_query::parse(&sql, 0).unwrap_or_else(|e| panic!("{sql}: {e}"));
            // The values come from the login table only; errors lose their context.
            assert!(sql.contains("FROM pg_temp.pgsyncer_main_login"), "{sql}");
            assert!(sql.contains("EXCEPTION WHEN OTHERS"), "{sql}");
            assert_eq!(sql.contains("password %L"), password, "{sql}");
        }
        for sql in [begin, copy] {
            pg_query::parse(&sql, 0).unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
    }

    #[test]
    fn shippable_hashes_by_type() {
        let hash = |ty: &str| shippable_column_hash(ty, "c", 2, false);
        for ty in [
            "integer",
            "numeric(12,2)",
            "text",
            "character varying(20)",
            "timestamp(3) with time zone",
            "date",
            "jsonb",
            "json",
            "double precision",
            "interval",
            "bytea",
            "integer[]",
            "text[]",
        ] {
            let h = hash(ty).unwrap_or_else(|| panic!("{ty} should be shippable"));
            assert!(h.starts_with("CASE WHEN c IS NULL"), "{h}");
            assert!(!h.contains("::text") && !h.contains("COLLATE"), "{h}");
        }
        assert!(hash("jsonb").is_some_and(|h| h.contains("jsonb_send(c)")));
        for ty in [
            "public.mood",
            "xml",
            "point",
            "public.mood[]",
            "numeric[]",
            "double precision[]",
        ] {
            assert_eq!(hash(ty), None, "{ty}");
        }
        // Send functions give text in the client encoding: never in a key.
        assert_eq!(shippable_column_hash("jsonb", "c", 2, true), None);
        assert!(shippable_column_hash("bigint", "c", 2, true).is_some());
        let mut t = table(true);
        assert_eq!(fdw_hashes(&t).map(|h| h.pulled), Some(vec![]));
        t.columns[1].standin_type = "character varying".into();
        let h = fdw_hashes(&t).expect("keyed");
        assert_eq!(h.pulled, vec![1], "types differ between the sides");
        assert!(!h.row.contains("note"), "{}", h.row);
        assert!(pulled_hash(&t, &h.pulled, Side::Main).contains("note::text"));
        t.columns[0].main_type = "public.mood".into();
        assert_eq!(fdw_hashes(&t), None, "the key is not shippable");
        let mut t = table(true);
        t.key = None;
        t.columns[1].main_type = "public.mood".into();
        assert_eq!(fdw_hashes(&t), None, "keyless with a pulled column");
    }
}
