//! Run a plan on the standin: everything that can run in a transaction in one transaction
//! (so on any error nothing changes), then the statements that cannot, one by one. The rare
//! statements that must commit before the transaction (an enum value the transaction uses)
//! run first.

use crate::conn::LoggedClient as Client;

use crate::plan::render::SESSION_SETTINGS;
use crate::plan::{Plan, Statement};

/// Applying a plan failed; the message names the statement and gives the server's.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A statement failed. Inside the transaction nothing was changed; after it, the
    /// transactional part had been committed.
    #[error("standin: {object}: statement failed: {message}\n  statement: {sql}\n  {outcome}")]
    Statement {
        object: String,
        sql: String,
        message: String,
        outcome: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// BEGIN or COMMIT failed.
    #[error("standin: {what} failed: {}", crate::report::pg_reason(.source))]
    Transaction {
        what: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
}

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Statements run (settings not counted).
    pub statements: usize,
}

/// The server's own message for an error (falls back to the client's text).
pub fn server_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut m = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                m.push_str(&format!(" (detail: {d})"));
            }
            m
        }
        None => e.to_string(),
    }
}

/// Run `plan` on `client` (the standin).
pub async fn apply(client: &Client, plan: &Plan) -> Result<ApplyReport, ApplyError> {
    let mut report = ApplyReport::default();
    run_outside(
        client,
        plan.before_transaction(),
        "this statement runs before the transaction; the transaction did not run",
        &mut report,
    )
    .await?;
    let inside: Vec<_> = plan.transactional().collect();
    if !inside.is_empty() {
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|source| ApplyError::Transaction {
                what: "BEGIN",
                source,
            })?;
        let mut failed = None;
        for setting in SESSION_SETTINGS {
            if let Err(source) = client.batch_execute(setting).await {
                failed = Some(ApplyError::Transaction {
                    what: "SET",
                    source,
                });
                break;
            }
        }
        if failed.is_none() {
            for statement in &inside {
                if let Err(source) = client.batch_execute(&statement.sql).await {
                    failed = Some(ApplyError::Statement {
                        object: statement.object.clone(),
                        sql: statement.sql.clone(),
                        message: server_message(&source),
                        outcome: "the transaction was rolled back: nothing was changed",
                        source,
                    });
                    break;
                }
                report.statements += 1;
            }
        }
        if let Some(error) = failed {
            // The failed transaction is rolled back; a lost connection rolls back too.
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(error);
        }
        client
            .batch_execute("COMMIT")
            .await
            .map_err(|source| ApplyError::Transaction {
                what: "COMMIT",
                source,
            })?;
    }
    run_outside(
        client,
        plan.non_transactional(),
        "this statement runs outside the transaction, which was committed",
        &mut report,
    )
    .await?;
    Ok(report)
}

/// Run statements that cannot run in the plan's transaction, one by one; `outcome` says what
/// a failure leaves behind.
async fn run_outside<'p>(
    client: &Client,
    statements: impl Iterator<Item = &'p Statement>,
    outcome: &'static str,
    report: &mut ApplyReport,
) -> Result<(), ApplyError> {
    for statement in statements {
        client
            .batch_execute(&statement.sql)
            .await
            .map_err(|source| ApplyError::Statement {
                object: statement.object.clone(),
                sql: statement.sql.clone(),
                message: server_message(&source),
                outcome,
                source,
            })?;
        report.statements += 1;
    }
    Ok(())
}
