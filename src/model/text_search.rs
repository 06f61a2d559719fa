//! Text search objects: parsers, templates, dictionaries and configurations (with their
//! token-to-dictionary mappings).

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A text search parser (`CREATE TEXT SEARCH PARSER`, superuser only): the C functions it
/// is made of, each found by name (the argument types are fixed by the role).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsParser {
    /// Schema and name.
    pub name: QualifiedName,
    /// `START` function.
    pub start: QualifiedName,
    /// `GETTOKEN` function.
    pub token: QualifiedName,
    /// `END` function.
    pub end: QualifiedName,
    /// `HEADLINE` function, if any.
    pub headline: Option<QualifiedName>,
    /// `LEXTYPES` function.
    pub lextypes: QualifiedName,
}

/// A text search template (`CREATE TEXT SEARCH TEMPLATE`, superuser only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsTemplate {
    /// Schema and name.
    pub name: QualifiedName,
    /// `INIT` function, if any.
    pub init: Option<QualifiedName>,
    /// `LEXIZE` function.
    pub lexize: QualifiedName,
}

/// A text search dictionary (`CREATE TEXT SEARCH DICTIONARY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsDictionary {
    /// Schema and name.
    pub name: QualifiedName,
    /// The template it is made from (often one in `pg_catalog`, such as `snowball`).
    pub template: QualifiedName,
    /// Its options in the server's order, each as the server prints it: the name quoted
    /// as an identifier and the value as SQL (`'english'`, `1`).
    pub options: Vec<TsOption>,
}

/// One option of a dictionary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsOption {
    /// The option's name as SQL (quoted when it must be).
    pub name: String,
    /// The value as SQL: a literal string or a bare number.
    pub value: String,
}

/// A text search configuration (`CREATE TEXT SEARCH CONFIGURATION`) and its mappings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsConfig {
    /// Schema and name.
    pub name: QualifiedName,
    /// The parser it splits text with (often `pg_catalog.default`).
    pub parser: QualifiedName,
    /// Token type mappings in the parser's token type order.
    pub mappings: Vec<TsMapping>,
}

/// The dictionaries a configuration tries, in order, for one token type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TsMapping {
    /// The token type's alias, as the parser names it (`asciiword`).
    pub token: String,
    /// The dictionaries, in the order they are tried.
    pub dictionaries: Vec<QualifiedName>,
}

impl TsDictionary {
    /// The options from the server's `dictinitoption` text (`name = value, …`; names
    /// quoted as identifiers, strings as literals, possibly `E'…'`, numbers bare), split
    /// at the commas between options. `None` when the text is not in that form.
    pub fn parse_options(text: &str) -> Option<Vec<TsOption>> {
        let mut out = Vec::new();
        let mut rest = text.trim_start();
        while !rest.is_empty() {
            let (name, after) = split_name(rest)?;
            let after = after.strip_prefix(" = ")?;
            let (value, after) = split_value(after)?;
            out.push(TsOption {
                name: name.to_string(),
                value: value.to_string(),
            });
            rest = match after.strip_prefix(", ") {
                Some(r) => r,
                None if after.is_empty() => after,
                None => return None,
            };
        }
        Some(out)
    }
}

/// An identifier (bare, or double-quoted with `""` for a quote) at the start of `s`.
fn split_name(s: &str) -> Option<(&str, &str)> {
    if let Some(inner) = s.strip_prefix('"') {
        let mut chars = inner.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if matches!(chars.peek(), Some((_, '"'))) {
                    chars.next();
                    continue;
                }
                let end = i + 2;
                return Some((&s[..end], &s[end..]));
            }
        }
        None
    } else {
        let end = s.find(' ').unwrap_or(s.len());
        (end > 0).then(|| (&s[..end], &s[end..]))
    }
}

/// A value (a `'…'` or `E'…'` literal, or a bare number) at the start of `s`.
fn split_value(s: &str) -> Option<(&str, &str)> {
    let (escape, start) = if s.starts_with("E'") {
        (true, 2)
    } else if s.starts_with('\'') {
        (false, 1)
    } else {
        let end = s.find(", ").unwrap_or(s.len());
        return (end > 0).then(|| (&s[..end], &s[end..]));
    };
    let bytes = s.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escape => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return Some((&s[..=i], &s[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(text: &str) -> Vec<(String, String)> {
        TsDictionary::parse_options(text)
            .unwrap_or_else(|| panic!("does not parse: {text}"))
            .into_iter()
            .map(|o| (o.name, o.value))
            .collect()
    }

    #[test]
    fn options_split_as_the_server_prints_them() {
        assert_eq!(opts(""), vec![]);
        assert_eq!(
            opts("language = 'english', stopwords = 'english'"),
            vec![
                ("language".into(), "'english'".into()),
                ("stopwords".into(), "'english'".into())
            ]
        );
        assert_eq!(
            opts(r#""Odd, = Name""" = 'it''s, = x', n = 3, f = 1.5, e = E'a\\b'', c'"#),
            vec![
                (r#""Odd, = Name""""#.into(), "'it''s, = x'".into()),
                ("n".into(), "3".into()),
                ("f".into(), "1.5".into()),
                ("e".into(), r"E'a\\b'', c'".into()),
            ]
        );
        assert_eq!(TsDictionary::parse_options("a = 'open"), None);
        assert_eq!(TsDictionary::parse_options("a 'x'"), None);
    }
}
