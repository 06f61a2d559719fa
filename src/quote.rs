//! The one place where identifiers and literals become SQL text.
//!
//! Every name that reaches generated SQL goes through [`ident`] or [`qualified`], and every
//! string constant through [`literal`]; no SQL is built by pasting names. Every name or
//! value that reaches a SQL comment, a warning or a message goes through [`inert`] (or
//! [`comment`]), so that no name can end a `--` comment or write to a terminal.

/// Keywords that `quote_ident` quotes (every category but unreserved), from PostgreSQL's
/// `pg_get_keywords()`. A name equal to one of them must be quoted.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Quote an identifier the way PostgreSQL's `quote_ident` does: bare when it is a plain
/// lower-case name that is not a keyword, double-quoted (with `"` doubled) otherwise.
pub fn ident(name: &str) -> String {
    if is_bare_identifier(name) {
        return name.to_string();
    }
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.name`, each part quoted.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// A string literal: `'...'` with quotes doubled, or `E'...'` when it holds a backslash
/// (so the text means the same whatever `standard_conforming_strings` is).
pub fn literal(value: &str) -> String {
    let body = value.replace('\'', "''");
    if value.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

/// `text` with every character that could end a `--` comment, move a terminal's cursor
/// or reorder what a reader sees written as a visible escape: `\n`, `\r`, `\t`, and
/// `\u{XX}` for the other C0 and C1 controls, DEL, the Unicode line and paragraph
/// separators and the bidirectional overrides. Anything else is kept as it is, so an
/// ordinary name reads as SQL quotes it (a backslash stays a backslash: the text is for
/// reading, not for parsing back).
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// One `--` comment line: `-- ` then [`inert`] `text`, then a newline. The one way a
/// comment line of generated SQL is built.
pub fn comment(text: &str) -> String {
    format!("-- {}\n", inert(text))
}

/// Lines of a message joined by newlines, each line [`inert`]: the newlines between them
/// are the message's own, none comes from a name.
pub fn inert_lines(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| inert(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Controls (C0, DEL, C1), line and paragraph separators, and the bidirectional
/// embedding, override and isolate marks ("Trojan Source").
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn is_bare_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && QUOTED_KEYWORDS.binary_search(&name).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_bare() {
        assert_eq!(ident("users"), "users");
        assert_eq!(ident("_x1"), "_x1");
    }

    #[test]
    fn names_that_need_quotes_get_them() {
        assert_eq!(ident("Users"), "\"Users\"");
        assert_eq!(ident("select"), "\"select\"");
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("a b"), "\"a b\"");
        assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(ident("1abc"), "\"1abc\"");
        assert_eq!(ident("größe"), "\"größe\"");
        assert_eq!(ident(""), "\"\"");
        // Unreserved keywords need no quotes, as with quote_ident.
        assert_eq!(ident("name"), "name");
        assert_eq!(qualified("public", "Order"), "public.\"Order\"");
    }

    #[test]
    fn keyword_list_is_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn inert_text_cannot_end_a_comment() {
        assert_eq!(inert("public.t"), "public.t");
        assert_eq!(inert("\"größe\" $$ */ 'x' \\"), "\"größe\" $$ */ 'x' \\");
        assert_eq!(
            inert("x\ndrop table victim; --"),
            "x\\ndrop table victim; --"
        );
        assert_eq!(inert("a\rb\tc"), "a\\rb\\tc");
        assert_eq!(inert("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(inert("\u{7f}\u{85}\u{9b}"), "\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(inert("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
        assert_eq!(inert("\u{202e}evil\u{2066}"), "\\u{202e}evil\\u{2066}");
        assert_eq!(inert("\u{0}\u{b}\u{c}"), "\\u{0}\\u{b}\\u{c}");
        for c in (0u32..0x20).chain(0x7f..0xa0).chain([0x2028, 0x2029]) {
            let text = inert(&char::from_u32(c).unwrap().to_string());
            assert!(text.chars().all(|c| !c.is_control()), "{c:x}: {text}");
        }
        assert_eq!(comment("x\ny"), "-- x\\ny\n");
    }

    #[test]
    fn literals_escape_quotes_and_backslashes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\\b"), "E'a\\\\b'");
        assert_eq!(literal(""), "''");
    }
}
