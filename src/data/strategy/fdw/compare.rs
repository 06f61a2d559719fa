//! `--fdw-mode`'s comparison, run server-side: the fingerprints main computes through
//! postgres_fdw ([`fdw_hashes`]: shippable functions only, so the aggregate is pushed down;
//! other columns are compared apart, their values pulled and hashed on the standin) and both
//! sides' bucket sums, read on the standin over the foreign table and the local one
//! (`compare_buckets`), as the default mode's [`Buckets`] / [`Checksums`].

use crate::conn::Side;
use crate::data::compare::buckets::{Buckets, Checksums};
use crate::data::compare::fingerprint::{base_type, combine, exact_hash};
use crate::data::error::{DataError, QueryContext};
use crate::data::table_ctx::TableCtx;
use crate::data::tables::TablePair;
use crate::quote::{ident, qualified};

/// Both sides' bucket sums, read on the standin: `foreign_sql` runs on main (postgres_fdw
/// pushes the whole aggregate down) through the group's transaction, which holds main's
/// snapshot; `local_sql` on the standin. With `unwritten` (this table was not written in the
/// transaction yet) and the group's second session at hand, both run at once, the local one
/// on that session (it sees the same rows); otherwise one after the other.
pub(super) async fn compare_buckets(
    ctx: &TableCtx<'_>,
    buckets: Buckets,
    foreign_sql: &str,
    local_sql: &str,
    unwritten: bool,
) -> Result<(Checksums, Checksums), DataError> {
    match ctx.standin_reader.filter(|_| unwritten) {
        Some(reader) => tokio::try_join!(
            Checksums::read(ctx.standin, buckets, foreign_sql),
            Checksums::read(reader, buckets, local_sql)
        ),
        None => {
            let mc = Checksums::read(ctx.standin, buckets, foreign_sql).await?;
            let sc = Checksums::read(ctx.standin, buckets, local_sql).await?;
            Ok((mc, sc))
        }
    }
}

/// Fingerprints main computes through postgres_fdw and the standin computes alike.
#[derive(Debug, Clone, PartialEq)]
pub struct FdwHashes {
    /// The key's fingerprint (`None` for a keyless table).
    pub key: Option<String>,
    /// The fingerprint of every column but `pulled`.
    pub row: String,
    /// Columns main cannot hash through postgres_fdw (their type, or types that differ
    /// between the sides): compared separately, their values pulled and hashed on the
    /// standin. Keyed tables only.
    pub pulled: Vec<usize>,
}

/// A hash of one column main can compute for postgres_fdw: built-in immutable functions
/// only, no cast through text (an I/O cast is not shipped, and output functions are stable),
/// no collation other than the column's own. `None` for other types.
///
/// Like the default mode's [`fingerprint`](crate::data::compare::fingerprint), values whose text differs
/// hash differently. Types whose hash follows equality only (floats: `-0` = `0`; interval:
/// `1 day` = `24 hours`; jsonb: `1.0` = `1.00`) are hashed through their binary send
/// function, which keeps every bit (json and jsonb send their text). Those send text in the
/// client encoding, which differs between pgsyncer's session and postgres_fdw's: not in a
/// key (`in_key`), where a mismatch would put one key in two buckets. timestamptz and date go
/// through a range (`tstzrange(c, NULL)`), whose hash is their binary value's; the cast to
/// `timestamp` the default mode uses depends on TimeZone, so postgres_fdw would not ship it.
pub(super) fn shippable_column_hash(ty: &str, c: &str, seed: i64, in_key: bool) -> Option<String> {
    let ty = base_type(ty);
    let hash = exact_hash(&ty, c, seed).or_else(|| shippable_other_hash(&ty, c, seed, in_key))?;
    // NULL gets a value of its own per column (COALESCE is not shipped; CASE is).
    let null = seed.wrapping_mul(0x5851_F42D_4C95_7F2D_u64 as i64);
    Some(format!(
        "CASE WHEN {c} IS NULL THEN {null}::int8 ELSE {hash} END"
    ))
}

/// [`shippable_column_hash`] for the types the default mode hashes otherwise.
fn shippable_other_hash(ty: &str, c: &str, seed: i64, in_key: bool) -> Option<String> {
    let sent =
        |send: &str| (!in_key).then(|| format!("hash_array_extended(ARRAY[{send}({c})], {seed})"));
    Some(match ty {
        "text" | "character varying" => format!("hashtextextended({c}, {seed})"),
        "timestamp with time zone" => {
            format!("hash_range_extended(tstzrange({c}, NULL), {seed})")
        }
        "date" => format!("hash_range_extended(daterange({c}, NULL), {seed})"),
        "numeric" => {
            // scale() is NULL for NaN and the infinities, whose hash already tells them apart.
            format!(
                "(hash_numeric_extended({c}, {seed}) # CASE WHEN scale({c}) IS NULL THEN 0::int8 ELSE hashint4extended(scale({c}), {seed}) END)"
            )
        }
        "bytea" => format!("hash_array_extended(ARRAY[{c}], {seed})"),
        "real" => sent("float4send")?,
        "double precision" => sent("float8send")?,
        "interval" => sent("interval_send")?,
        "jsonb" => sent("jsonb_send")?,
        "json" => sent("json_send")?,
        array if array.ends_with("[]") => {
            // Elements hashed by their type's own hash (array_send is not immutable): only
            // types whose hash tells apart every two values of different text.
            let element = array.trim_end_matches("[]");
            let exact = [
                "smallint",
                "integer",
                "bigint",
                "oid",
                "boolean",
                "text",
                "character varying",
                "uuid",
                "timestamp without time zone",
                "timestamp with time zone",
                "date",
                "time without time zone",
                "inet",
                "cidr",
                "macaddr",
                "bytea",
            ];
            if !exact.contains(&element) {
                return None;
            }
            format!("hash_array_extended({c}, {seed})")
        }
        _ => return None,
    })
}

/// The table's shippable fingerprints, or `None` when its key cannot be hashed so (or, for a
/// keyless table, any column). Both servers must have the same encoding (checked by
/// [`shippable_hashes`]).
pub fn fdw_hashes(table: &TablePair) -> Option<FdwHashes> {
    let hash = |c: &crate::data::tables::Column, seed: i64, in_key: bool| {
        (c.main_type == c.standin_type)
            .then(|| shippable_column_hash(&c.main_type, &ident(&c.name), seed, in_key))
            .flatten()
    };
    let mut row = Vec::new();
    let mut pulled = Vec::new();
    for (i, (c, seed)) in table.columns.iter().zip(1..).enumerate() {
        match hash(c, seed, false) {
            Some(h) => row.push(h),
            None => pulled.push(i),
        }
    }
    let key = match &table.key {
        Some(_) => Some(combine(
            table
                .key_columns()
                .into_iter()
                .zip(1000..)
                .map(|(c, seed)| hash(c, seed, true))
                .collect::<Option<Vec<_>>>()?,
        )),
        None if pulled.is_empty() => None,
        None => return None,
    };
    Some(FdwHashes {
        key,
        row: combine(row),
        pulled,
    })
}

/// The fingerprint, computed on the standin, of `pulled` columns as read from `side`
/// (the foreign table has main's types): the default mode's [`fingerprint`](crate::data::compare::fingerprint).
pub(super) fn pulled_hash(table: &TablePair, pulled: &[usize], side: Side) -> String {
    let reduced = TablePair {
        columns: pulled.iter().map(|&i| table.columns[i].clone()).collect(),
        key: None,
        ..table.clone()
    };
    crate::data::compare::fingerprint::row_hash(&reduced, side)
}

/// Any column of `table` with a nondeterministic collation on this side? Its text would hash
/// by collation on one server and by bytes on the other. And the server's encoding.
const NONDETERMINISTIC: &str = "SELECT EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped AND NOT c.collisdeterministic), current_setting('server_encoding')";

/// [`fdw_hashes`], when both servers hash the table's text alike.
pub(super) async fn shippable_hashes(
    ctx: &TableCtx<'_>,
    table: &TablePair,
) -> Result<Option<FdwHashes>, DataError> {
    let Some(hashes) = fdw_hashes(table) else {
        return Ok(None);
    };
    let name = qualified(&table.schema, &table.name);
    let mut encodings = Vec::new();
    for session in [ctx.main, ctx.standin] {
        let row = session
            .query_one(NONDETERMINISTIC, &[&name])
            .await
            .ctx(session.side, || format!("reading the collations of {name}"))?;
        if row.get::<_, bool>(0) {
            return Ok(None);
        }
        encodings.push(row.get::<_, String>(1));
    }
    // Text is hashed as the server stores it.
    if encodings[0] != encodings[1] {
        return Ok(None);
    }
    Ok(Some(hashes))
}
