//! Parsing connection strings as libpq does: a URL (`postgres://` or `postgresql://`) or a
//! `key=value` string, into an ordered list of parameters. Nothing here reads the environment.
//!
//! Errors never echo the password: they name the parameter or show the string through
//! [`mask_dsn`].

/// Parameters pgsyncer understands, with what each means (for the "unknown parameter" error).
pub const KNOWN_PARAMS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "passfile",
    "dbname",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "options",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "target_session_attrs",
    "channel_binding",
];

/// libpq parameters pgsyncer knows of but does not implement: refused with a clear reason
/// rather than silently ignored (ignoring `sslcert` would, say, quietly drop client auth).
const UNSUPPORTED_PARAMS: &[&str] = &[
    "sslpassword",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslcompression",
    "sslnegotiation",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "requirepeer",
    "gssencmode",
    "gsslib",
    "gssdelegation",
    "krbsrvname",
    "service",
    "fallback_application_name",
    "replication",
    "load_balance_hosts",
    "require_auth",
    "requiressl",
];

/// A parsed connection string: parameters in the order given (a later one wins).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DsnParams {
    params: Vec<(String, String)>,
}

impl std::fmt::Debug for DsnParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in &self.params {
            if k == "password" {
                map.entry(k, &"****");
            } else {
                map.entry(k, v);
            }
        }
        map.finish()
    }
}

impl DsnParams {
    /// The value given for `key`, if any (the last one when repeated). Empty values count
    /// as not given, as in libpq where `host=` falls back to the default.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// All parameters in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn push(&mut self, key: String, value: String) -> Result<(), String> {
        check_key(&key)?;
        self.params.push((key, value));
        Ok(())
    }
}

fn check_key(key: &str) -> Result<(), String> {
    if KNOWN_PARAMS.contains(&key) {
        return Ok(());
    }
    if UNSUPPORTED_PARAMS.contains(&key) {
        return Err(format!(
            "connection parameter \"{key}\" is not supported by pgsyncer"
        ));
    }
    Err(format!(
        "unknown connection parameter \"{key}\" (known: {})",
        KNOWN_PARAMS.join(", ")
    ))
}

/// Parse a URL or `key=value` connection string. The error text never contains the password.
pub fn parse_dsn(dsn: &str) -> Result<DsnParams, String> {
    let trimmed = dsn.trim();
    if let Some(rest) = trimmed
        .strip_prefix("postgresql://")
        .or_else(|| trimmed.strip_prefix("postgres://"))
    {
        parse_url(rest).map_err(|reason| format!("{reason}: \"{}\"", mask_dsn(trimmed)))
    } else if trimmed.contains("://") {
        Err(format!(
            "unsupported URL scheme in \"{}\" (use postgres:// or postgresql://)",
            mask_dsn(trimmed)
        ))
    } else {
        parse_key_value(trimmed)
    }
}

/// `[user[:password]@][host][:port][/dbname][?key=value&…]`, percent-decoded.
///
/// Error texts name what is wrong but never quote a piece of the URL: with a raw `/` in a
/// password, any piece could be part of the password.
fn parse_url(rest: &str) -> Result<DsnParams, String> {
    let mut params = DsnParams::default();
    // As libpq: the authority ends at the first '/'; within it the user info ends at the
    // last '@' (a raw '@' or '?' in a password is a common mistake we tolerate).
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    let (userinfo, hostport) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    let (hostport, query_in_authority) = match hostport.find('?') {
        Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
        None => (hostport, None),
    };
    let (path, query) = match query_in_authority {
        Some(q) => ("", Some(if after.is_empty() { q } else { "" })),
        None => match after.find('?') {
            Some(i) => (&after[..i], Some(&after[i + 1..])),
            None => (after, None),
        },
    };
    if query_in_authority.is_some() && !after.is_empty() {
        return Err("unexpected \"/\" after the URL's query".into());
    }
    if path.contains('@') {
        return Err(
            "\"@\" after the host in the URL: percent-encode \"/\" in a password as %2F and \"@\" in a database name as %40"
                .into(),
        );
    }
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.find(':') {
            Some(i) => (&userinfo[..i], Some(&userinfo[i + 1..])),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            params.push("user".into(), percent_decode(user, "user name")?)?;
        }
        if let Some(password) = password {
            params.push("password".into(), percent_decode(password, "password")?)?;
        }
    }
    if hostport.contains(',') {
        return Err("multiple hosts in one connection string are not supported".into());
    }
    let (host, port) = split_host_port(hostport)?;
    if !host.is_empty() {
        params.push("host".into(), percent_decode(host, "host")?)?;
    }
    if let Some(port) = port.filter(|p| !p.is_empty()) {
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err("invalid port in the URL (expected a number)".into());
        }
        params.push("port".into(), port.to_string())?;
    }
    let dbname = path.strip_prefix('/').unwrap_or(path);
    if !dbname.is_empty() {
        params.push("dbname".into(), percent_decode(dbname, "database name")?)?;
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err("a query parameter of the URL has no \"=\"".into());
            };
            let key = percent_decode(key, "parameter name")?;
            let value = if key == "password" {
                percent_decode(value, "password")?
            } else {
                percent_decode(value, &format!("parameter \"{key}\""))?
            };
            // libpq accepts the JDBC-style ssl=true as sslmode=require.
            if key == "ssl" {
                if value == "true" {
                    params.push("sslmode".into(), "require".into())?;
                    continue;
                }
                return Err(
                    "invalid value for parameter \"ssl\" (only \"true\" is accepted)".into(),
                );
            }
            params.push(key, value)?;
        }
    }
    Ok(params)
}

/// Split `host:port`, `[v6]:port`, `host`, `:port`.
fn split_host_port(hostport: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err("missing \"]\" after an IPv6 host in the URL".into());
        };
        let host = &rest[..end];
        let after = &rest[end + 1..];
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("unexpected text after an IPv6 host in the URL".into()),
        };
    }
    Ok(match hostport.rfind(':') {
        Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
        None => (hostport, None),
    })
}

fn percent_decode(text: &str, what: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => out.push(b),
                None => return Err(format!("invalid percent-encoding in the {what}")),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out)
        .map_err(|_| format!("the {what} is not valid UTF-8 once decoded"))?;
    if decoded.contains('\0') {
        return Err(format!("the {what} contains a NUL byte"));
    }
    Ok(decoded)
}

/// `key = value key2='quoted \' value'`, as libpq's `conninfo_parse`.
fn parse_key_value(text: &str) -> Result<DsnParams, String> {
    let mut params = DsnParams::default();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() || chars[i] != '=' {
            // Quote the word only when it is a parameter name: an unquoted password with
            // a space in it would otherwise leak its second half here.
            return Err(if KNOWN_PARAMS.contains(&key.as_str()) {
                format!("missing \"=\" after \"{key}\" in the connection string")
            } else {
                "missing \"=\" after a word in the connection string (quote values that contain spaces: key='a b')".to_string()
            });
        }
        i += 1;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            let mut closed = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    '\'' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            if !closed {
                return Err(format!(
                    "unterminated quoted value for \"{key}\" in the connection string"
                ));
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    value.push(chars[i + 1]);
                    i += 2;
                } else {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        params.push(key, value)?;
    }
    Ok(params)
}

/// The connection string with every password replaced by `****`: the user-info password of
/// a URL, `password=` in a URL's query and in a key=value string. Works on malformed input
/// too (it over-masks rather than leaks), so it is safe to use in any message.
pub fn mask_dsn(dsn: &str) -> String {
    let lower = dsn.to_ascii_lowercase();
    let masked = if let Some(scheme_end) = lower.find("://") {
        let (head, rest) = dsn.split_at(scheme_end + 3);
        // Everything up to the last '@' is user info (over-masks if '@' appears later).
        match rest.rfind('@') {
            Some(at) => {
                let userinfo = &rest[..at];
                let masked_info = match userinfo.find(':') {
                    Some(colon) => format!("{}:****", &userinfo[..colon]),
                    None => userinfo.to_string(),
                };
                format!("{head}{masked_info}{}", &rest[at..])
            }
            None => dsn.to_string(),
        }
    } else {
        dsn.to_string()
    };
    mask_password_params(&masked)
}

/// Replace the value of every password parameter with `****`: `password=` and
/// `sslpassword=` in a key=value string or a URL's query, however the key is spelled
/// (percent-encoded as `pass%77ord`, upper case, with a backslash): a key is decoded before
/// it is judged, since the parser decodes it before using it.
fn mask_password_params(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let url = text.contains("://");
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let at_key = i == 0
            || if url {
                matches!(chars[i - 1], '?' | '&')
            } else {
                chars[i - 1].is_whitespace()
            };
        let value_start = if at_key {
            password_value_start(&chars, i, url)
        } else {
            None
        };
        let Some(j) = value_start else {
            out.push(chars[i]);
            i += 1;
            continue;
        };
        out.extend(&chars[i..j]);
        out.push_str("****");
        i = value_end(&chars, j, url);
    }
    out
}

/// When a key starting at `i` names a password, where its value starts.
fn password_value_start(chars: &[char], i: usize, url: bool) -> Option<usize> {
    let mut j = i;
    while j < chars.len() && chars[j] != '=' && (url || !chars[j].is_whitespace()) {
        j += 1;
    }
    let key: String = chars[i..j].iter().collect();
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    if j >= chars.len() || chars[j] != '=' || !names_a_password(&key) {
        return None;
    }
    j += 1;
    while !url && j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    Some(j)
}

/// `password`, `sslpassword`, in any case, percent-encoded or with escapes: over-masks a key
/// that only looks like one rather than show a secret.
fn names_a_password(key: &str) -> bool {
    let decoded = percent_decode_lossy(key);
    let plain: String = decoded
        .chars()
        .filter(|c| !matches!(c, '\\' | '\'' | '"'))
        .flat_map(char::to_lowercase)
        .collect();
    plain.trim().ends_with("password")
}

/// Where the value starting at `j` ends: a URL query value at `&`; a key=value value at
/// whitespace, or past its closing quote (with `\` escapes).
fn value_end(chars: &[char], mut j: usize, url: bool) -> usize {
    if url {
        // A raw `&` in a password: the pieces after it that are not `key=value` belong to
        // the password (the parser refuses them, showing the string through this mask).
        loop {
            while j < chars.len() && chars[j] != '&' {
                j += 1;
            }
            let next = chars[(j + 1).min(chars.len())..]
                .iter()
                .take_while(|c| **c != '&')
                .any(|c| *c == '=');
            if j >= chars.len() || next {
                return j;
            }
            j += 1;
        }
    }
    if j < chars.len() && chars[j] == '\'' {
        j += 1;
        while j < chars.len() && chars[j] != '\'' {
            j += if chars[j] == '\\' { 2 } else { 1 };
        }
        j += 1;
    } else {
        while j < chars.len() && !chars[j].is_whitespace() {
            j += if chars[j] == '\\' { 2 } else { 1 };
        }
    }
    j.min(chars.len())
}

/// Percent-decoding for judging a key: invalid escapes are kept as they are.
fn percent_decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(dsn: &str) -> Vec<(String, String)> {
        parse_dsn(dsn)
            .unwrap()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn url_with_everything() {
        assert_eq!(
            kv("postgresql://al%40ice:p%3Ass@db.example.com:6543/my%20db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&connect_timeout=7"),
            pairs(&[
                ("user", "al@ice"),
                ("password", "p:ss"),
                ("host", "db.example.com"),
                ("port", "6543"),
                ("dbname", "my db"),
                ("sslmode", "verify-full"),
                ("sslrootcert", "/tmp/ca.pem"),
                ("connect_timeout", "7"),
            ])
        );
    }

    #[test]
    fn url_minimal_forms() {
        assert_eq!(kv("postgres://"), pairs(&[]));
        assert_eq!(kv("postgres:///app"), pairs(&[("dbname", "app")]));
        assert_eq!(
            kv("postgres://%2Fvar%2Frun%2Fpostgresql/app"),
            pairs(&[("host", "/var/run/postgresql"), ("dbname", "app")])
        );
        assert_eq!(
            kv("postgres://[::1]:5433/x"),
            pairs(&[("host", "::1"), ("port", "5433"), ("dbname", "x")])
        );
        assert_eq!(
            kv("postgres://u@h?ssl=true"),
            pairs(&[("user", "u"), ("host", "h"), ("sslmode", "require")])
        );
        // A raw '@' inside the password is tolerated: the last '@' ends the user info.
        assert_eq!(
            kv("postgres://u:p@ss@h/d"),
            pairs(&[
                ("user", "u"),
                ("password", "p@ss"),
                ("host", "h"),
                ("dbname", "d")
            ])
        );
    }

    #[test]
    fn key_value_quoting_and_escapes() {
        assert_eq!(
            kv(r"host=localhost  port = 5433 dbname='my db' password='it\'s \\ secret' user=a\ b"),
            pairs(&[
                ("host", "localhost"),
                ("port", "5433"),
                ("dbname", "my db"),
                ("password", r"it's \ secret"),
                ("user", "a b"),
            ])
        );
        assert_eq!(kv(""), pairs(&[]));
        assert_eq!(kv("host="), pairs(&[("host", "")]));
    }

    #[test]
    fn errors_name_the_parameter_and_hide_the_password() {
        let e = parse_dsn("host=h colour=blue password=hunter2").unwrap_err();
        assert!(e.contains("\"colour\""), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse_dsn("postgres://u:hunter2@h/d?colour=blue").unwrap_err();
        assert!(e.contains("\"colour\""), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse_dsn("postgres://u:hun%zzter2@h/d").unwrap_err();
        assert!(e.contains("password") && !e.contains("hun"), "{e}");
        let e = parse_dsn("host=h password='hunter2").unwrap_err();
        assert!(e.contains("unterminated") && !e.contains("hunter2"), "{e}");
        let e = parse_dsn("host=h password=hun ter2").unwrap_err();
        assert!(e.contains("missing \"=\"") && !e.contains("ter2"), "{e}");
        let e = parse_dsn("host=h dbname").unwrap_err();
        assert!(e.contains("after \"dbname\""), "{e}");
        // A raw '/' in a URL password: refused without quoting any piece of it.
        let e = parse_dsn("postgres://u:se/cret@h/d").unwrap_err();
        assert!(e.contains("%2F") && !e.contains("cret"), "{e}");
        let e = parse_dsn("postgres://u:se/cret:1@h/d").unwrap_err();
        assert!(!e.contains("cret"), "{e}");
        let e = parse_dsn("mysql://u:hunter2@h/d").unwrap_err();
        assert!(e.contains("mysql://u:****@h/d"), "{e}");
        let e = parse_dsn("host=a sslcrl=/x").unwrap_err();
        assert!(e.contains("\"sslcrl\" is not supported"), "{e}");
        let e = parse_dsn("postgres://h1,h2/d").unwrap_err();
        assert!(e.contains("multiple hosts"), "{e}");
    }

    #[test]
    fn masking() {
        assert_eq!(
            mask_dsn("postgres://u:secret@h:5432/d?sslmode=require"),
            "postgres://u:****@h:5432/d?sslmode=require"
        );
        assert_eq!(mask_dsn("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(
            mask_dsn("postgres://u@h/d?password=secret&sslmode=require"),
            "postgres://u@h/d?password=****&sslmode=require"
        );
        assert_eq!(
            mask_dsn("host=h password=secret user=u"),
            "host=h password=****".to_string() + " user=u"
        );
        assert_eq!(
            mask_dsn("host=h password = 'se cr\\'et' user=u"),
            "host=h password = **** user=u"
        );
        assert_eq!(
            mask_dsn("host=h PASSWORD='unterminated"),
            "host=h PASSWORD=****"
        );
        assert_eq!(mask_dsn("postgres://u:p@ss@h/d"), "postgres://u:****@h/d");
        assert_eq!(mask_dsn("passwordless=1"), "passwordless=1");
        for dsn in [
            "postgres://u:secret@h/d",
            "postgresql://u:secret@/d?password=secret",
            "password=secret",
            "host=x password='secret'",
            "POSTGRES://u:secret@h",
        ] {
            assert!(
                !mask_dsn(dsn).contains("secret"),
                "{dsn} -> {}",
                mask_dsn(dsn)
            );
        }
    }

    #[test]
    fn odd_spellings_of_the_password_key_are_masked() {
        // The parser decodes a URL query key before using it: `pass%77ord` is the password.
        assert_eq!(
            kv("postgres://u@h/d?pass%77ord=secret"),
            pairs(&[
                ("user", "u"),
                ("host", "h"),
                ("dbname", "d"),
                ("password", "secret")
            ])
        );
        let e = parse_dsn("postgres://u@h/d?pass%77ord=secret&colour=blue").unwrap_err();
        assert!(e.contains("\"colour\"") && !e.contains("secret"), "{e}");
        let e = parse_dsn("postgres://u@h?%70assword=se%20cret&colour=blue").unwrap_err();
        assert!(!e.contains("se%20cret") && !e.contains("se cret"), "{e}");
        for dsn in [
            "postgres://u@h/d?pass%77ord=secret&sslmode=require",
            "postgres://u@h/d?PASS%57ORD=secret",
            "postgres://u@h/d?%70%61%73%73%77%6f%72%64=secret",
            "postgres://u@h/d?sslmode=require&password=sec&ret",
            "postgres://u@h/d?sslpassword=secret",
            "postgres://u@h/d?password=se cret",
            "host=h\u{a0}password=secret",
            "host=h\rpassword=secret",
            "host=h\x0bpassword=secret",
            "host=h pass%77ord=secret",
            "host=h pass\\word=secret",
            "host=h password=sec&ret",
            "host=h sslpassword=secret",
        ] {
            let masked = mask_dsn(dsn);
            assert!(
                !masked.contains("secret") && !masked.contains("ret"),
                "{dsn} -> {masked}"
            );
        }
        assert_eq!(
            mask_dsn("postgres://u@h/d?pass%77ord=secret&sslmode=require"),
            "postgres://u@h/d?pass%77ord=****&sslmode=require"
        );
    }

    #[test]
    fn debug_hides_the_password() {
        let p = parse_dsn("host=h password=hunter2").unwrap();
        let text = format!("{p:?}");
        assert!(text.contains("host") && !text.contains("hunter2"), "{text}");
    }
}
