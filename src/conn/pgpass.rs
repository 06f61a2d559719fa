//! The password file (`~/.pgpass`, `PGPASSFILE`, `passfile=`) with libpq's rules: lines of
//! `host:port:database:user:password`, `*` matching anything in the first four fields, `\:`
//! and `\\` escapes, `#` comments, the first matching line wins. A Unix-socket connection
//! matches the host `localhost`. A file readable by group or others is ignored with a warning.

use std::path::Path;

/// What to look up: the connection's host, port, database and user as resolved so far.
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'a> {
    /// Host name, IP address, or a Unix socket directory (starts with `/`).
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password of the first line of `text` that matches `lookup`.
pub fn find_password(text: &str, lookup: Lookup<'_>) -> Option<String> {
    // libpq: a socket path (or no host) is looked up as "localhost".
    let host = if lookup.host.is_empty() || lookup.host.starts_with('/') {
        "localhost"
    } else {
        lookup.host
    };
    let port = lookup.port.to_string();
    let wanted = [host, port.as_str(), lookup.dbname, lookup.user];
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(split_fields)
        .find(|fields| {
            fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field == "*" || field == want)
        })
        .map(|mut fields| fields.swap_remove(4))
}

/// Split a line into its four key fields and the password, undoing `\` escapes. A line with
/// fewer than five fields is ignored, as in libpq. The password is the rest of the line
/// (a further unescaped ':' ends it, as libpq does).
fn split_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::with_capacity(5);
    let mut current = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ':' => {
                fields.push(std::mem::take(&mut current));
                if fields.len() == 5 {
                    break;
                }
            }
            c => current.push(c),
        }
    }
    if fields.len() < 5 {
        fields.push(current);
    }
    (fields.len() == 5).then_some(fields)
}

/// Why a password file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Missing or unreadable: silently skipped, as libpq does.
    Unreadable,
    /// Not a regular file.
    NotAFile,
    /// Group or world permissions: ignored with a warning, as libpq does.
    TooOpen { mode: u32 },
}

/// Read a password file, refusing it (like libpq) when others may read it.
pub fn read_file(path: &Path) -> Result<String, FileProblem> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|_| FileProblem::Unreadable)?;
    if !meta.is_file() {
        return Err(FileProblem::NotAFile);
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(FileProblem::TooOpen { mode });
    }
    std::fs::read_to_string(path).map_err(|_| FileProblem::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(host: &'a str, port: u16, db: &'a str, user: &'a str) -> Lookup<'a> {
        Lookup {
            host,
            port,
            dbname: db,
            user,
        }
    }

    #[test]
    fn first_matching_line_wins_with_wildcards() {
        let text = "\
# comment line
db.example.com:5432:app:alice:exact
*:5432:app:alice:anyhost
*:*:*:alice:alice-anywhere
*:*:*:*:fallback
";
        assert_eq!(
            find_password(text, at("db.example.com", 5432, "app", "alice")).as_deref(),
            Some("exact")
        );
        assert_eq!(
            find_password(text, at("other", 5432, "app", "alice")).as_deref(),
            Some("anyhost")
        );
        assert_eq!(
            find_password(text, at("other", 6000, "app", "alice")).as_deref(),
            Some("alice-anywhere")
        );
        assert_eq!(
            find_password(text, at("other", 6000, "app", "bob")).as_deref(),
            Some("fallback")
        );
        assert_eq!(find_password("h:1:d:u:pw\n", at("h", 2, "d", "u")), None);
    }

    #[test]
    fn escapes_and_short_lines() {
        let text = "short:line\nh\\:x:5432:d\\\\b:u:pa\\:ss\\\\word\n";
        assert_eq!(
            find_password(text, at("h:x", 5432, "d\\b", "u")).as_deref(),
            Some("pa:ss\\word")
        );
        // Windows line endings are tolerated.
        assert_eq!(
            find_password("h:5432:d:u:pw\r\n", at("h", 5432, "d", "u")).as_deref(),
            Some("pw")
        );
        // An empty password field is a (useless) match, as in libpq.
        assert_eq!(
            find_password("h:5432:d:u:\n", at("h", 5432, "d", "u")).as_deref(),
            Some("")
        );
    }

    #[test]
    fn socket_matches_localhost() {
        let text = "localhost:5432:d:u:local\n";
        assert_eq!(
            find_password(text, at("/var/run/postgresql", 5432, "d", "u")).as_deref(),
            Some("local")
        );
        assert_eq!(
            find_password(text, at("", 5432, "d", "u")).as_deref(),
            Some("local")
        );
        assert_eq!(find_password(text, at("127.0.0.1", 5432, "d", "u")), None);
    }

    #[test]
    fn open_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read_file(&path), Err(FileProblem::TooOpen { mode: 0o644 }));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_file(&path).unwrap(), "*:*:*:*:pw\n");
        assert_eq!(read_file(dir.path()), Err(FileProblem::NotAFile));
        assert_eq!(
            read_file(&dir.path().join("missing")),
            Err(FileProblem::Unreadable)
        );
    }
}
