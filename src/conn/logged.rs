//! The one place where a statement pgsyncer runs is logged: every [`Session`](super::Session)
//! call goes through [`LoggedClient`], which logs each statement at debug level with its
//! side and duration, after [`loggable`] has masked any secret in it.
//!
//! A COPY or a row stream is logged when the server has accepted it (its duration is the
//! time to the first answer, not to the last row).

use std::time::Instant;

use bytes::Buf;
use postgres_types::{BorrowToSql, ToSql};
use tokio_postgres::{CopyInSink, CopyOutStream, Error, Row, RowStream, SimpleQueryMessage};

use super::Side;

/// A `tokio_postgres::Client` whose statement methods log what they ran. It derefs to the
/// client for everything else (transactions, cancel tokens…).
pub struct LoggedClient {
    client: tokio_postgres::Client,
    side: Side,
}

impl std::ops::Deref for LoggedClient {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl std::ops::DerefMut for LoggedClient {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.client
    }
}

impl LoggedClient {
    pub fn new(client: tokio_postgres::Client, side: Side) -> LoggedClient {
        LoggedClient { client, side }
    }

    pub async fn batch_execute<S: ?Sized + AsRef<str>>(&self, sql: &S) -> Result<(), Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.batch_execute(sql).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn simple_query<S: ?Sized + AsRef<str>>(
        &self,
        sql: &S,
    ) -> Result<Vec<SimpleQueryMessage>, Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.simple_query(sql).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn query<S: ?Sized + AsRef<str>>(
        &self,
        sql: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.query(sql, params).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn query_one<S: ?Sized + AsRef<str>>(
        &self,
        sql: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.query_one(sql, params).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn query_opt<S: ?Sized + AsRef<str>>(
        &self,
        sql: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.query_opt(sql, params).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn query_raw<S, P, I>(&self, sql: &S, params: I) -> Result<RowStream, Error>
    where
        S: ?Sized + AsRef<str>,
        P: BorrowToSql,
        I: IntoIterator<Item = P>,
        I::IntoIter: ExactSizeIterator,
    {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.query_raw(sql, params).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn execute<S: ?Sized + AsRef<str>>(
        &self,
        sql: &S,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.execute(sql, params).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn copy_in<S, U>(&self, sql: &S) -> Result<CopyInSink<U>, Error>
    where
        S: ?Sized + AsRef<str>,
        U: Buf + 'static + Send,
    {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.copy_in(sql).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }

    pub async fn copy_out<S: ?Sized + AsRef<str>>(&self, sql: &S) -> Result<CopyOutStream, Error> {
        let sql = sql.as_ref();
        let started = Instant::now();
        let result = self.client.copy_out(sql).await;
        log_statement(self.side, sql, started, result.is_ok());
        result
    }
}

fn log_statement(side: Side, sql: &str, started: Instant, ok: bool) {
    tracing::debug!(
        target: "pgsyncer::sql",
        "{side}: {:.1} ms{}: {}",
        started.elapsed().as_secs_f64() * 1000.0,
        if ok { "" } else { " (failed)" },
        loggable(sql)
    );
}

/// `sql` as it may be logged: the literal after every `password` word (a user mapping's or
/// a role's password option) replaced by `'****'`. Statements should carry no secret at all;
/// this is the net under that rule, applied to every statement pgsyncer logs and to the
/// driver's own protocol log.
pub fn loggable(sql: &str) -> String {
    let lower = sql.to_ascii_lowercase();
    let mut out = String::with_capacity(sql.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find("password") {
        let word_end = from + found + "password".len();
        from = word_end;
        let Some((start, end)) = literal_after(sql, word_end) else {
            continue;
        };
        out.push_str(&sql[rest..start]);
        out.push_str("'****'");
        rest = end;
        from = end;
    }
    out.push_str(&sql[rest..]);
    out
}

/// The byte range of a string literal (`'…'`, `E'…'`) that follows `at` after an optional
/// closing `"`, `=`, `:` and spaces; an unterminated literal runs to the end.
fn literal_after(sql: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = sql.as_bytes();
    let mut i = at;
    while i < bytes.len() && matches!(bytes[i], b'"' | b'=' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    let start = i;
    if i < bytes.len() && matches!(bytes[i], b'E' | b'e') {
        i += 1;
    }
    if bytes.get(i) != Some(&b'\'') {
        return None;
    }
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return Some((start, i + 1)),
            _ => i += 1,
        }
    }
    Some((start, bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::loggable;

    #[test]
    fn passwords_are_masked_in_statements() {
        assert_eq!(
            loggable("CREATE USER MAPPING FOR CURRENT_USER SERVER s OPTIONS (user 'u', password 'se''cret')"),
            "CREATE USER MAPPING FOR CURRENT_USER SERVER s OPTIONS (user 'u', password '****')"
        );
        assert_eq!(
            loggable("ALTER ROLE r PASSWORD E'sec\\'ret' VALID UNTIL 'x'"),
            "ALTER ROLE r PASSWORD '****' VALID UNTIL 'x'"
        );
        assert_eq!(
            loggable("options (\"password\" 'secret"),
            "options (\"password\" '****'"
        );
        assert_eq!(
            loggable("SELECT password_required FROM t"),
            "SELECT password_required FROM t"
        );
        assert_eq!(loggable("SELECT 1"), "SELECT 1");
    }
}
