//! How `ALTER COLUMN … TYPE … USING` converts a column's values, decided from the two
//! models alone (no I/O at plan time).
//!
//! What the models know: each column's type as `format_type` writes it, the enums and
//! domains of both databases. What they do not know: `pg_cast`, so user-defined casts and
//! the casts of extension types (citext, hstore, PostGIS, …) are unknown. The rules:
//! - a type PostgreSQL converts directly (same type with another typmod or collation, the
//!   built-in casts listed in [`builtin_cast`], anything to or from a string type through
//!   its text form): `USING col::newtype`;
//! - an enum into another enum: `USING col::text::newtype`, the labels carried over;
//! - a type the models do not know (composite, range, base or extension type) on either
//!   side: `USING col::newtype`, as before, since a cast pgsyncer cannot see may exist;
//! - otherwise (two known types with no cast, such as `bigint` to `timestamp`, or an enum
//!   to a number): no conversion, and the plan fails naming the column and both types
//!   rather than print SQL that cannot run.

use super::*;

/// How a column's values become the new type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conversion {
    /// `col::newtype`.
    Cast,
    /// `col::text::newtype`.
    ThroughText,
    /// No cast PostgreSQL has between the two types.
    None,
}

/// What a type is, for conversion: a built-in type by its name without typmod, an enum,
/// or a type the models do not describe.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Builtin(String),
    Enum(String),
    Unknown,
}

/// The conversion of the column `c` from the standin's type to main's.
pub(crate) fn conversion(main: &Schema, standin: &Schema, c: &TableChild) -> Conversion {
    let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
        return Conversion::Cast;
    };
    type_conversion(standin, &s.data_type, main, &m.data_type)
}

/// The conversion from `from` (a type of `from_schema`) to `to` (a type of `to_schema`).
pub(crate) fn type_conversion(
    from_schema: &Schema,
    from: &str,
    to_schema: &Schema,
    to: &str,
) -> Conversion {
    if from == to {
        return Conversion::Cast;
    }
    let (from_base, from_dims) = split_array(from);
    let (to_base, to_dims) = split_array(to);
    let (a, b) = (
        shape(from_schema, from_base, 0),
        shape(to_schema, to_base, 0),
    );
    // Any value has a text form and is read back from one: string types convert both ways.
    if (is_string(&a) && from_dims == 0) || (is_string(&b) && to_dims == 0) {
        return Conversion::Cast;
    }
    if from_dims != to_dims {
        return Conversion::None;
    }
    match (&a, &b) {
        (Shape::Unknown, _) | (_, Shape::Unknown) => Conversion::Cast,
        (Shape::Enum(x), Shape::Enum(y)) if x == y => Conversion::Cast,
        (Shape::Enum(_), Shape::Enum(_)) => Conversion::ThroughText,
        (Shape::Builtin(x), Shape::Builtin(y)) if x == y || builtin_cast(x, y) => Conversion::Cast,
        _ => Conversion::None,
    }
}

/// The type without its trailing `[]`s, and how many there were.
fn split_array(t: &str) -> (&str, usize) {
    let mut base = t;
    let mut dims = 0;
    while let Some(b) = base.strip_suffix("[]") {
        base = b;
        dims += 1;
    }
    (base, dims)
}

/// `t` as `format_type` writes it, resolved through domains (a value converts into or out
/// of a domain as its base type does; `depth` stops a cycle a broken model could hold).
fn shape(schema: &Schema, t: &str, depth: u8) -> Shape {
    let named = |q: &QualifiedName| crate::diff::type_text_names(t, q);
    if let Some(d) = schema.domains.values().find(|d| named(&d.name)) {
        return match depth {
            0..=8 => shape(schema, &d.base_type, depth + 1),
            _ => Shape::Unknown,
        };
    }
    if let Some(e) = schema.enums.values().find(|e| named(&e.name)) {
        return Shape::Enum(e.name.sql());
    }
    let base = without_typmod(t);
    if BUILTIN.contains(&base.as_str()) {
        Shape::Builtin(base)
    } else {
        Shape::Unknown
    }
}

/// `numeric(12,2)` → `numeric`, `timestamp(3) with time zone` → `timestamp with time zone`.
fn without_typmod(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut depth = 0u32;
    for ch in t.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

const STRINGS: &[&str] = &["text", "character varying", "character", "name", "\"char\""];

fn is_string(s: &Shape) -> bool {
    matches!(s, Shape::Builtin(b) if STRINGS.contains(&b.as_str()))
}

/// The built-in types whose casts [`builtin_cast`] knows (as `format_type` writes them
/// without typmod); any other type is [`Shape::Unknown`].
const BUILTIN: &[&str] = &[
    "text",
    "character varying",
    "character",
    "name",
    "\"char\"",
    "smallint",
    "integer",
    "bigint",
    "real",
    "double precision",
    "numeric",
    "money",
    "boolean",
    "date",
    "time without time zone",
    "time with time zone",
    "timestamp without time zone",
    "timestamp with time zone",
    "interval",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "bit",
    "bit varying",
    "uuid",
    "bytea",
    "xml",
    "oid",
    "regclass",
    "regtype",
    "regproc",
    "tsvector",
    "tsquery",
    "point",
    "box",
    "polygon",
    "circle",
    "line",
    "lseg",
    "path",
];

/// Whether PostgreSQL has a cast from `from` to `to` (both in [`BUILTIN`], not string
/// types): pg_cast's built-in entries between these types.
fn builtin_cast(from: &str, to: &str) -> bool {
    const NUMBERS: &[&str] = &[
        "smallint",
        "integer",
        "bigint",
        "real",
        "double precision",
        "numeric",
    ];
    const TIMES: &[(&str, &str)] = &[
        ("date", "timestamp without time zone"),
        ("date", "timestamp with time zone"),
        ("timestamp without time zone", "date"),
        ("timestamp without time zone", "timestamp with time zone"),
        ("timestamp without time zone", "time without time zone"),
        ("timestamp with time zone", "date"),
        ("timestamp with time zone", "timestamp without time zone"),
        ("timestamp with time zone", "time without time zone"),
        ("timestamp with time zone", "time with time zone"),
        ("time without time zone", "time with time zone"),
        ("time without time zone", "interval"),
        ("time with time zone", "time without time zone"),
        ("interval", "time without time zone"),
    ];
    const OTHERS: &[(&str, &str)] = &[
        ("money", "numeric"),
        ("numeric", "money"),
        ("integer", "money"),
        ("bigint", "money"),
        ("integer", "boolean"),
        ("boolean", "integer"),
        ("json", "jsonb"),
        ("jsonb", "json"),
        ("jsonb", "boolean"),
        ("jsonb", "smallint"),
        ("jsonb", "integer"),
        ("jsonb", "bigint"),
        ("jsonb", "real"),
        ("jsonb", "double precision"),
        ("jsonb", "numeric"),
        ("inet", "cidr"),
        ("cidr", "inet"),
        ("macaddr", "macaddr8"),
        ("macaddr8", "macaddr"),
        ("bit", "bit varying"),
        ("bit varying", "bit"),
        ("integer", "bit"),
        ("bigint", "bit"),
        ("bit", "integer"),
        ("bit", "bigint"),
        ("smallint", "oid"),
        ("integer", "oid"),
        ("bigint", "oid"),
        ("oid", "integer"),
        ("oid", "bigint"),
        ("oid", "regclass"),
        ("oid", "regtype"),
        ("oid", "regproc"),
        ("regclass", "oid"),
        ("regtype", "oid"),
        ("regproc", "oid"),
        ("integer", "regclass"),
        ("bigint", "regclass"),
        ("regclass", "integer"),
        ("regclass", "bigint"),
        ("point", "box"),
        ("box", "point"),
        ("box", "polygon"),
        ("box", "circle"),
        ("polygon", "box"),
        ("polygon", "circle"),
        ("polygon", "path"),
        ("polygon", "point"),
        ("circle", "box"),
        ("circle", "polygon"),
        ("circle", "point"),
        ("path", "polygon"),
        ("path", "point"),
        ("lseg", "point"),
    ];
    (NUMBERS.contains(&from) && NUMBERS.contains(&to))
        || TIMES.contains(&(from, to))
        || OTHERS.contains(&(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_enums(names: &[&str]) -> Schema {
        let mut s = Schema::default();
        for n in names {
            let q = QualifiedName::new("public", *n);
            s.enums.insert(
                q.clone(),
                EnumType {
                    name: q,
                    labels: vec!["a".into()],
                },
            );
        }
        s
    }

    #[test]
    fn conversions_from_the_models() {
        let s = with_enums(&["mood", "feeling"]);
        let conv = |a: &str, b: &str| type_conversion(&s, a, &s, b);
        assert_eq!(conv("integer", "bigint"), Conversion::Cast);
        assert_eq!(conv("numeric(10,2)", "numeric(12,2)"), Conversion::Cast);
        assert_eq!(
            conv("timestamp(3) without time zone", "timestamp with time zone"),
            Conversion::Cast
        );
        assert_eq!(conv("integer[]", "bigint[]"), Conversion::Cast);
        assert_eq!(conv("mood", "text"), Conversion::Cast);
        assert_eq!(conv("character varying(5)", "mood"), Conversion::Cast);
        assert_eq!(conv("mood", "feeling"), Conversion::ThroughText);
        assert_eq!(conv("mood[]", "feeling[]"), Conversion::ThroughText);
        assert_eq!(conv("public.mood", "feeling"), Conversion::ThroughText);
        assert_eq!(conv("mood", "integer"), Conversion::None);
        assert_eq!(
            conv("bigint", "timestamp without time zone"),
            Conversion::None
        );
        assert_eq!(conv("uuid", "integer"), Conversion::None);
        assert_eq!(conv("integer", "integer[]"), Conversion::None);
        assert_eq!(conv("text", "integer[]"), Conversion::Cast);
        // Types the models do not describe may have casts pgsyncer cannot see.
        assert_eq!(conv("citext", "uuid"), Conversion::Cast);
        assert_eq!(conv("public.hstore", "jsonb"), Conversion::Cast);
    }
}
