//! How an error reads: its whole chain of causes, with the server's message, SQLSTATE,
//! detail and hint. A leaf module: every module's error type may use it in its messages
//! (`data`, `catalog`, `apply`) while the top-level [`crate::error::Error`] wraps them.

/// Format an error with its whole chain of causes, one per line, so the server's message,
/// detail and hint (and SQLSTATE) reach the user. The driver's own layers ("db error") add
/// nothing and are left out; the server's message is shown once. Each line goes through
/// [`crate::quote::inert`]: errors carry object names and server text, and land on a terminal.
pub fn report(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let is_driver = cause.downcast_ref::<tokio_postgres::Error>().is_some()
            || cause
                .downcast_ref::<tokio_postgres::error::DbError>()
                .is_some();
        let line = match cause.downcast_ref::<tokio_postgres::Error>() {
            Some(pg) => pg_reason(pg),
            None if is_driver => String::new(),
            None => cause.to_string(),
        };
        if !line.is_empty() && !text.contains(&line) {
            text.push_str("\n  caused by: ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    if let Some(db) = find_db_error(error) {
        if !text.contains(db.message()) {
            text.push_str(&format!("\n  server: {}", db_line(db)));
        }
        if let Some(detail) = db.detail() {
            text.push_str(&format!("\n  detail: {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("\n  hint: {hint}"));
        }
        if *db.code() == tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE {
            text.push_str(
                "\n  hint: another session holds a lock this statement needed and kept it longer \
                 than --lock-timeout; the statement's transaction was rolled back, so nothing it \
                 did was kept. Run again once that session is done (pg_stat_activity and \
                 pg_locks show it), or allow a longer wait with --lock-timeout",
            );
        }
    }
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    crate::quote::inert_lines(&lines)
}

/// What a driver error means, in one line: the server's message with its SQLSTATE, or
/// the driver's kind with its cause ("connection closed", "error communicating with the
/// server: Connection reset by peer"). tokio-postgres' own `Display` is only "db error".
pub fn pg_reason(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return db_line(db);
    }
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

fn db_line(db: &tokio_postgres::error::DbError) -> String {
    format!(
        "{}: {} (SQLSTATE {})",
        db.severity(),
        db.message(),
        db.code().code()
    )
}

fn find_db_error<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a tokio_postgres::error::DbError> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(db) = e.downcast_ref::<tokio_postgres::error::DbError>() {
            return Some(db);
        }
        if let Some(pg) = e.downcast_ref::<tokio_postgres::Error>() {
            if let Some(db) = pg.as_db_error() {
                return Some(db);
            }
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_writes_no_control_character_from_a_name() {
        let inner = std::io::Error::other("table public.\"x\u{1b}[2J\u{2028}y\"");
        let text = report(&inner);
        assert_eq!(text, "table public.\"x\\u{1b}[2J\\u{2028}y\"");
    }
}
