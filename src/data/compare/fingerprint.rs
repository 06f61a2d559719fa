//! Row and key fingerprints: 64-bit hashes the servers compute, the same on both sides for
//! the same values.
//!
//! A fingerprint is the XOR of one hash per column, each with its own seed (its position), so
//! swapped values change it. Types whose hash function tells apart exactly the values whose
//! text differs are hashed natively (integers, `text` under `COLLATE "C"`, uuid, timestamps,
//! inet, …): no output function runs, several times cheaper than hashing `ROW(…)::text`.
//! `numeric` adds its display scale (its hash calls `1.0` and `1.00` equal). Every other type
//! (floats: `-0` = `0`; interval: `1 day` = `24 hours`; jsonb, json, arrays, enums (hashed by
//! OID, which differs between servers), domains, composites, …) is hashed through its text,
//! which the pinned session settings make identical on both servers. A column whose type
//! differs between the sides is hashed through its text too, so `int4` against `int8` or
//! `varchar` against `text` still compare by value.

use crate::conn::Side;
use crate::data::tables::{Column, TablePair};
use crate::quote::ident;

/// Seeds of key columns start here, apart from row columns' seeds.
const KEY_SEED: i64 = 1000;

/// `format_type` text without type modifiers: `numeric(12,2)` → `numeric`,
/// `timestamp(3) with time zone` → `timestamp with time zone`.
pub(crate) fn base_type(ty: &str) -> String {
    let mut out = String::with_capacity(ty.len());
    let mut depth = 0;
    for ch in ty.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type's own hash of `c` under `seed`, for types whose hash tells apart exactly the
/// values whose text differs and needs no cast and no collation, so that main can also
/// compute it through postgres_fdw (`--fdw-mode`). `None` for other types.
pub(crate) fn exact_hash(ty: &str, c: &str, seed: i64) -> Option<String> {
    Some(match ty {
        "smallint" => format!("hashint2extended({c}, {seed})"),
        "integer" => format!("hashint4extended({c}, {seed})"),
        "bigint" => format!("hashint8extended({c}, {seed})"),
        "oid" => format!("hashoidextended({c}, {seed})"),
        "boolean" => format!("hashint4extended({c}::int4, {seed})"),
        "uuid" => format!("uuid_hash_extended({c}, {seed})"),
        "timestamp without time zone" => format!("timestamp_hash_extended({c}, {seed})"),
        "time without time zone" => format!("time_hash_extended({c}, {seed})"),
        "inet" | "cidr" => format!("hashinetextended({c}, {seed})"),
        "macaddr" => format!("hashmacaddrextended({c}, {seed})"),
        "macaddr8" => format!("hashmacaddr8extended({c}, {seed})"),
        _ => return None,
    })
}

/// Hash of one column's value (`int8`, never NULL), under `seed`.
fn column_hash(column: &Column, side: Side, seed: i64) -> String {
    let c = ident(&column.name);
    let native = if column.main_type == column.standin_type {
        base_type(column.type_on(side))
    } else {
        String::new()
    };
    let hash = exact_hash(&native, &c, seed).unwrap_or_else(|| match native.as_str() {
        "text" | "character varying" => format!("hashtextextended({c} COLLATE \"C\", {seed})"),
        // TimeZone is pinned to UTC: the cast keeps the stored instant.
        "timestamp with time zone" => format!("timestamp_hash_extended({c}::timestamp, {seed})"),
        "numeric" => format!(
            "(hash_numeric_extended({c}, {seed}) # COALESCE(hashint4extended(scale({c}), {seed}), 0))"
        ),
        _ => format!("hashtextextended({c}::text, {seed})"),
    });
    // NULL gets a value of its own per column, so NULL in one column is not NULL in another.
    let null = seed.wrapping_mul(0x5851_F42D_4C95_7F2D_u64 as i64);
    format!("COALESCE({hash}, {null})")
}

/// The XOR of column hashes (`0` for none).
pub(crate) fn combine(parts: Vec<String>) -> String {
    if parts.is_empty() {
        return "0::int8".to_string();
    }
    format!("({})", parts.join(" # "))
}

/// The fingerprint of a whole row (every compared column), as an `int8` expression.
pub fn row_hash(table: &TablePair, side: Side) -> String {
    combine(
        table
            .columns
            .iter()
            .zip(1..)
            .map(|(c, seed)| column_hash(c, side, seed))
            .collect(),
    )
}

/// The fingerprint of a row's key, as an `int8` expression.
pub fn key_hash(table: &TablePair, side: Side) -> String {
    combine(
        table
            .key_columns()
            .into_iter()
            .zip(KEY_SEED..)
            .map(|(c, seed)| column_hash(c, side, seed))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, main: &str, standin: &str) -> Column {
        Column {
            name: name.into(),
            main_type: main.into(),
            standin_type: standin.into(),
            collatable: main.contains("text") || main.contains("char"),
            identity_always: false,
            exact: true,
        }
    }

    #[test]
    fn base_types() {
        assert_eq!(base_type("numeric(12,2)"), "numeric");
        assert_eq!(
            base_type("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(base_type("character varying(20)[]"), "character varying[]");
        assert_eq!(base_type("public.\"my type\""), "public.\"my type\"");
    }

    #[test]
    fn native_text_and_mismatched_types() {
        let native = column_hash(
            &column("n", "numeric(12,2)", "numeric(12,2)"),
            Side::Main,
            3,
        );
        assert!(native.contains("hash_numeric_extended(n, 3)"), "{native}");
        assert!(native.contains("scale(n)"), "{native}");
        let text = column_hash(&column("j", "jsonb", "jsonb"), Side::Main, 2);
        assert!(text.contains("hashtextextended(j::text, 2)"), "{text}");
        let arr = column_hash(&column("a", "integer[]", "integer[]"), Side::Main, 2);
        assert!(arr.contains("hashtextextended(a::text, 2)"), "{arr}");
        let mixed = column_hash(&column("i", "integer", "bigint"), Side::Standin, 1);
        assert!(mixed.contains("hashtextextended(i::text, 1)"), "{mixed}");
        let name = column_hash(&column("Name", "text", "text"), Side::Main, 1);
        assert!(
            name.contains("hashtextextended(\"Name\" COLLATE \"C\", 1)"),
            "{name}"
        );
    }
}
