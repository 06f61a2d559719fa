//! `--fdw-mode`'s writes, run server-side: the statements that stage main's rows of differing
//! buckets ([`stage_statements`]), find the standin's keys main lacks ([`gone_statement`],
//! [`bucket_key_statements`], [`key_statements`]), fill an empty table ([`insert_all`]),
//! merge a stage or the whole foreign table (`merge_more`, [`respell_statements`]) and
//! compare keyless rows as multisets ([`keyless_statements`]), with the helpers that run them
//! on the group's transaction.

use crate::conn::Side;
use crate::data::alias;
use crate::data::error::{DataError, QueryContext};
use crate::data::sql::{same_key_text, TableSql};
use crate::data::strategy::{Outcome, PendingDelete};
use crate::data::table_ctx::TableCtx;
use crate::data::tables::TablePair;
use crate::data::write::merge;
use crate::quote::ident;

/// `--use-updated-at`, a key whose equality is not its text's: a key in `gone` (the standin
/// has it, main lacks its text) may be main's key spelled otherwise (`'abc'` for `'ABC'`) on a
/// row the watermark did not select. Main's rows whose key equals a gone key are merged
/// (main's text written over the standin's), and the keys so rewritten leave `gone`.
/// Returns `(rows updated, keys kept)`.
pub(super) async fn respell_gone(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    gone: &str,
) -> Result<(u64, u64), DataError> {
    let (merge, prune) = respell_statements(table, foreign, gone);
    let (inserted, updated) = merge::apply(ctx.standin, &merge).await?;
    let kept = ctx
        .standin
        .execute(&prune, &[])
        .await
        .ctx(Side::Standin, || prune.clone())?;
    Ok((inserted + updated, kept))
}

/// [`respell_gone`]'s merge of main's rows whose key equals one in `gone`, and the removal
/// from `gone` of the keys the standin no longer has by text.
pub fn respell_statements(table: &TablePair, foreign: &str, gone: &str) -> (merge::Merge, String) {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let [t, s, d] = [alias::TARGET, alias::SOURCE, alias::DELETED].map(|a| names.get(a));
    let equal = table
        .key_columns()
        .iter()
        .map(|c| format!("{d}.{0} = {s}.{0}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let filter = format!(
        "EXISTS (SELECT 1 FROM {} AS {d} WHERE {equal})",
        ident(gone)
    );
    let prune = format!(
        "DELETE FROM {} AS {d} WHERE NOT EXISTS (SELECT 1 FROM {} AS {t} WHERE {})",
        ident(gone),
        sql.relation(),
        same_key_text(table, &t, &d)
    );
    (merge::merge(table, foreign, Some(&filter)), prune)
}

/// Merge main's rows matching `filter` too (none written unless they differ), counted in `out`.
pub(super) async fn merge_more(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    filter: Option<&str>,
    out: &mut Outcome,
) -> Result<(), DataError> {
    let (inserted, updated) =
        merge::apply(ctx.standin, &merge::merge(table, foreign, filter)).await?;
    out.inserted += inserted;
    out.updated += updated;
    Ok(())
}

/// Does the standin lack any of main's keys (a temporary table `keys`)?
pub(super) async fn lacks_keys(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    keys: &str,
) -> Result<bool, DataError> {
    let sql = missing_keys_statement(table, keys);
    Ok(ctx
        .standin
        .query_one(&sql, &[])
        .await
        .ctx(Side::Standin, || sql.clone())?
        .get(0))
}

/// Whether any key of `keys` is missing from the standin table.
pub fn missing_keys_statement(table: &TablePair, keys: &str) -> String {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let (t, k) = (names.get(alias::TARGET), names.get(alias::KEYS));
    let join = table
        .key_columns()
        .iter()
        .map(|c| format!("{k}.{0} = {t}.{0}", ident(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ");
    format!(
        "SELECT EXISTS (SELECT 1 FROM {} AS {k} WHERE NOT EXISTS (SELECT 1 FROM {} AS {t} WHERE {join}))",
        ident(keys),
        sql.relation()
    )
}

/// Main's keys into `keys`, the standin's keys main lacks into `gone`; returns how many of
/// each.
pub(super) async fn run_key_statements(
    ctx: &TableCtx<'_>,
    keys: &str,
    collect: &str,
    find: &str,
) -> Result<(u64, u64), DataError> {
    let collected = ctx
        .standin
        .execute(collect, &[])
        .await
        .ctx(Side::Standin, || collect.to_string())?;
    let analyze = format!("ANALYZE {}", ident(keys));
    ctx.standin
        .batch_execute(&analyze)
        .await
        .ctx(Side::Standin, || analyze.clone())?;
    let found = ctx
        .standin
        .execute(find, &[])
        .await
        .ctx(Side::Standin, || find.to_string())?;
    Ok((collected, found))
}

/// A temporary stage shaped like the standin table, and main's rows matching `where_` (a
/// condition main evaluates) into it.
pub fn stage_statements(
    table: &TablePair,
    foreign: &str,
    stage: &str,
    where_: &str,
) -> [String; 2] {
    let sql = TableSql::new(table, Side::Standin);
    let cols = sql.column_list();
    [
        sql.create_stage(stage),
        format!(
            "INSERT INTO {} ({cols}) SELECT {cols} FROM {foreign} WHERE {where_}",
            ident(stage)
        ),
    ]
}

/// The standin's keys in the buckets `where_` selects that `stage` (main's rows of those
/// buckets) lacks, into a temporary table `gone`.
pub fn gone_statement(table: &TablePair, stage: &str, gone: &str, where_: &str) -> String {
    let sql = TableSql::new(table, Side::Standin);
    let names = sql.aliases();
    let (t, k) = (names.get(alias::TARGET), names.get(alias::KEYS));
    let key_cols: Vec<String> = table.key_columns().iter().map(|c| ident(&c.name)).collect();
    // By text: main's 'ABC', just merged over the standin's 'abc', is not gone.
    let join = same_key_text(table, &k, &t);
    format!(
        "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM (SELECT * FROM {} WHERE {where_}) AS {t} WHERE NOT EXISTS (SELECT 1 FROM {} AS {k} WHERE {join})",
        ident(gone),
        key_cols
            .iter()
            .map(|c| format!("{t}.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        sql.relation(),
        ident(stage)
    )
}

/// Main's keys of the buckets `where_` selects into `keys`, then the standin's keys of those
/// buckets main lacks into `gone`.
pub fn bucket_key_statements(
    table: &TablePair,
    foreign: &str,
    keys: &str,
    gone: &str,
    where_: &str,
) -> [String; 2] {
    let key_cols: Vec<String> = table.key_columns().iter().map(|c| ident(&c.name)).collect();
    [
        format!(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {foreign} WHERE {where_}",
            ident(keys),
            key_cols.join(", ")
        ),
        gone_statement(table, keys, gone, where_),
    ]
}

fn overriding(table: &TablePair) -> &'static str {
    if table.has_identity_always() {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    }
}

/// Every row of the foreign table into the (empty) standin table.
pub fn insert_all(table: &TablePair, foreign: &str) -> String {
    let sql = TableSql::new(table, Side::Standin);
    let cols = sql.column_list();
    format!(
        "INSERT INTO {} ({cols}){} SELECT {cols} FROM {foreign}",
        sql.qualified(),
        overriding(table)
    )
}

/// Main's keys into `keys`, then the standin's keys main lacks into `gone` (both temporary).
pub fn key_statements(
    table: &TablePair,
    foreign: &str,
    keys: &str,
    gone: &str,
) -> (String, String) {
    let key_cols: Vec<String> = table.key_columns().iter().map(|c| ident(&c.name)).collect();
    (
        format!(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT {} FROM {foreign}",
            ident(keys),
            key_cols.join(", ")
        ),
        gone_statement(table, keys, gone, "TRUE"),
    )
}

/// Keyless statements: `(main multiset, standin multiset, surplus, lacking, insert)`. `source`
/// holds main's rows (the foreign table, or a stage of some buckets' rows); `local_filter`
/// restricts the standin's rows to the same buckets.
pub fn keyless_statements(
    table: &TablePair,
    source: &str,
    names: [&str; 4],
    local_filter: Option<&str>,
) -> [String; 5] {
    let foreign = source;
    let sql = TableSql::new(table, Side::Standin);
    let [fm, sm, surplus, lack] = names.map(ident);
    let cols = sql.column_list();
    let names = sql.aliases();
    let [ph, rn, s, m, x, y, u, h, n] = [
        alias::ROW_HASH,
        alias::COPY_NUMBER,
        alias::ROWS,
        alias::MAIN_ROWS,
        alias::NUMBERED,
        alias::HASHED,
        alias::UNNESTED,
        alias::HASH,
        alias::COPIES,
    ]
    .map(|a| names.get(a));
    let qualified_cols = |r: &str| {
        table
            .columns
            .iter()
            .map(|c| format!("{r}.{}", ident(&c.name)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (x_cols, y_cols) = (qualified_cols(&x), qualified_cols(&y));
    let hash = sql.row_hash();
    [
        format!("CREATE TEMP TABLE {fm} ON COMMIT DROP AS SELECT {s}.{ph} AS {h}, count(*)::int8 AS {n} FROM (SELECT {hash} AS {ph} FROM {foreign}) AS {s} GROUP BY 1"),
        format!("CREATE TEMP TABLE {sm} ON COMMIT DROP AS SELECT {s}.{ph} AS {h}, count(*)::int8 AS {n} FROM (SELECT {hash} AS {ph} FROM {}{}) AS {s} GROUP BY 1", sql.relation(), local_filter.map(|f| format!(" WHERE {f}")).unwrap_or_default()),
        format!("CREATE TEMP TABLE {surplus} ON COMMIT DROP AS SELECT {s}.{h}, {s}.{n} - COALESCE({m}.{n}, 0) AS {n} FROM {sm} AS {s} LEFT JOIN {fm} AS {m} ON {m}.{h} = {s}.{h} WHERE {s}.{n} > COALESCE({m}.{n}, 0)"),
        format!("CREATE TEMP TABLE {lack} ON COMMIT DROP AS SELECT {m}.{h}, {m}.{n} - COALESCE({s}.{n}, 0) AS {n} FROM {fm} AS {m} LEFT JOIN {sm} AS {s} ON {s}.{h} = {m}.{h} WHERE {m}.{n} > COALESCE({s}.{n}, 0)"),
        format!(
            "INSERT INTO {} ({cols}){} SELECT {x_cols} FROM (SELECT {y_cols}, {y}.{ph}, row_number() OVER (PARTITION BY {y}.{ph}) AS {rn} FROM (SELECT {cols}, {hash} AS {ph} FROM {foreign}) AS {y} WHERE {y}.{ph} IN (SELECT {u}.{h} FROM {lack} AS {u})) AS {x} JOIN {lack} AS {u} ON {u}.{h} = {x}.{ph} WHERE {x}.{rn} <= {u}.{n}",
            sql.qualified(),
            overriding(table)
        ),
    ]
}

/// Compare main's rows in `source` with the standin's (those matching `local_filter`) as
/// multisets; insert what lacks, leave the surplus for deletion.
pub(super) async fn keyless_multisets(
    ctx: &TableCtx<'_>,
    table: &TablePair,
    foreign: &str,
    local_filter: Option<&str>,
) -> Result<Outcome, DataError> {
    ctx.bar.message("fdw: comparing rows");
    let names = [
        ctx.temp_name("main_rows"),
        ctx.temp_name("standin_rows"),
        ctx.temp_name("surplus"),
        ctx.temp_name("lack"),
    ];
    let [fm, sm, surplus, lack, insert] = keyless_statements(
        table,
        foreign,
        [&names[0], &names[1], &names[2], &names[3]],
        local_filter,
    );
    for s in [&fm, &sm, &surplus, &lack] {
        ctx.standin
            .execute(s.as_str(), &[])
            .await
            .ctx(Side::Standin, || s.clone())?;
    }
    let n = TableSql::new(table, Side::Standin)
        .aliases()
        .get(alias::COPIES);
    let counts = format!(
        "SELECT (SELECT COALESCE(sum({n}), 0)::int8 FROM {}), (SELECT COALESCE(sum({n}), 0)::int8 FROM {}), (SELECT COALESCE(sum({n}), 0)::int8 FROM {})",
        ident(&names[0]),
        ident(&names[2]),
        ident(&names[3])
    );
    let row = ctx
        .standin
        .query_one(&counts, &[])
        .await
        .ctx(Side::Standin, || counts.clone())?;
    let (main_rows, surplus_n, lack_n): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    let mut out = Outcome {
        main_rows: main_rows.max(0) as u64,
        ..Outcome::default()
    };
    if lack_n > 0 {
        out.inserted = ctx
            .standin
            .execute(&insert, &[])
            .await
            .ctx(Side::Standin, || insert.clone())?;
    }
    if surplus_n > 0 {
        out.deleted = surplus_n as u64;
        out.pending = Some(PendingDelete::Hashes {
            surplus: names[2].clone(),
        });
    }
    Ok(out)
}
