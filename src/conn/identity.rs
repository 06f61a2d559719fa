//! Proving main and standin are different databases, and the standin writable, before
//! anything is written: pointed at one database under two spellings (URL and key=value,
//! `localhost` and `127.0.0.1`, socket and TCP), a sync would "revert" every transaction
//! committed since its snapshot.
//!
//! Two witnesses, gathered with one session per side, both available to a least-privilege
//! role (PostgreSQL 13 to 18):
//! - the server: `pg_control_system().system_identifier` and `pg_postmaster_start_time()`.
//!   The identifier alone is not enough (a clone made with `pg_basebackup` and promoted keeps
//!   it, and is a legitimate standin); one running server has one start time.
//! - a probe: the standin session sets a unique `application_name`; every role sees every
//!   session's pid, database and `application_name` in `pg_stat_activity`, so main finds the
//!   probe exactly when both sessions are on one server, and in which database.
//!
//! The same server and the same database oid is refused; so is a standin in recovery (a
//! standby cannot be written, and may be a replica of main itself).

use std::time::{SystemTime, UNIX_EPOCH};

use super::{ConnectError, Endpoint, Session, Side};

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error("{side}: {what}: {source}")]
    Query {
        side: Side,
        what: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error(
        "main and standin are the same database ({how}): --maindsn {main} and --standindsn {standin} \
         reach database \"{database}\" on one server. Nothing was done: a sync would make that \
         database \"match\" itself while applications write to it, undoing their changes. Point \
         --standindsn at another database"
    )]
    SameDatabase {
        main: String,
        standin: String,
        database: String,
        how: &'static str,
    },
    #[error(
        "main and standin could not be proved to be different databases: --maindsn {main} and \
         --standindsn {standin} both reach a database \"{database}\" of a cluster with system \
         identifier {system}, and neither pg_postmaster_start_time() nor pg_stat_activity could \
         tell the servers apart ({reason}). Nothing was done"
    )]
    Unproven {
        main: String,
        standin: String,
        database: String,
        system: String,
        reason: String,
    },
    #[error(
        "the standin ({standin}) is in recovery (a standby): it cannot be written, and may be a \
         replica of main. Nothing was done. Point --standindsn at a primary"
    )]
    StandinInRecovery { standin: String },
}

/// What one side says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// `pg_control_system().system_identifier`, when this role may call it.
    pub system: Option<String>,
    /// `pg_postmaster_start_time()` in UTC, to the microsecond (text that no session setting
    /// changes), when this role may call it.
    pub started: Option<String>,
    pub database_oid: u32,
    pub database: String,
    pub in_recovery: bool,
}

/// What main's `pg_stat_activity` says about the standin's probe session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Listed, in the database with this oid: one server.
    Seen { database_oid: u32 },
    /// Not listed: another server.
    Unseen,
    /// `pg_stat_activity` could not be read.
    Unknown,
}

/// The verdict on two sides' facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Distinct,
    Same {
        how: &'static str,
    },
    StandinInRecovery,
    /// The same cluster identifier and database, and no way to tell the servers apart.
    Unproven {
        reason: &'static str,
    },
}

/// Decide from the facts: pure, so every combination is unit-tested.
pub fn decide(main: &Facts, standin: &Facts, probe: Probe) -> Verdict {
    if standin.in_recovery {
        return Verdict::StandinInRecovery;
    }
    match probe {
        Probe::Seen { database_oid } if database_oid == main.database_oid => {
            return Verdict::Same {
                how: "main's pg_stat_activity lists the standin's session in main's database",
            }
        }
        Probe::Seen { .. } => return Verdict::Distinct,
        Probe::Unseen | Probe::Unknown => {}
    }
    let known_and = |a: &Option<String>, b: &Option<String>, equal: bool| match (a, b) {
        (Some(a), Some(b)) => (a == b) == equal,
        _ => false,
    };
    let other_cluster = known_and(&main.system, &standin.system, false);
    let other_server = known_and(&main.started, &standin.started, false);
    let same_database =
        main.database_oid == standin.database_oid && main.database == standin.database;
    if other_cluster || other_server || !same_database {
        return Verdict::Distinct;
    }
    if known_and(&main.started, &standin.started, true) {
        return Verdict::Same {
            how: "one server start time, database oid and name",
        };
    }
    match probe {
        // Main sees every session of its server: the probe's absence proves another server.
        Probe::Unseen => Verdict::Distinct,
        _ => Verdict::Unproven {
            reason: "pg_postmaster_start_time() and pg_stat_activity are not readable",
        },
    }
}

async fn facts(session: &Session) -> Result<Facts, IdentityError> {
    let side = session.side;
    let row = session
        .query_one(
            "SELECT d.oid, d.datname::text, pg_is_in_recovery() FROM pg_database d WHERE d.datname = current_database()",
            &[],
        )
        .await
        .map_err(|source| IdentityError::Query {
            side,
            what: "reading the database's identity",
            source,
        })?;
    let optional = |sql: &'static str| async move {
        match session.query_one(sql, &[]).await {
            Ok(r) => Some(r.get::<_, String>(0)),
            Err(e) => {
                tracing::debug!("{side}: {sql}: {e}");
                None
            }
        }
    };
    Ok(Facts {
        system: optional("SELECT system_identifier::text FROM pg_control_system()").await,
        started: optional(
            "SELECT to_char(pg_postmaster_start_time() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
        ).await,
        database_oid: row.get(0),
        database: row.get(1),
        in_recovery: row.get(2),
    })
}

/// Refuse main and standin being one database, or a standin in recovery. `main_dsn` and
/// `standin_dsn` are the masked DSNs the messages name.
pub async fn ensure_distinct(
    main: &Endpoint,
    standin: &Endpoint,
    main_dsn: &str,
    standin_dsn: &str,
) -> Result<(), IdentityError> {
    let (m, s) = tokio::try_join!(main.connect(), standin.connect())?;
    let (main_facts, standin_facts) = tokio::try_join!(facts(&m), facts(&s))?;
    let probe = probe(&m, &s).await;
    tracing::debug!("identity: main {main_facts:?}, standin {standin_facts:?}, probe {probe:?}");
    match decide(&main_facts, &standin_facts, probe) {
        Verdict::Distinct => Ok(()),
        Verdict::Same { how } => Err(IdentityError::SameDatabase {
            main: main_dsn.to_string(),
            standin: standin_dsn.to_string(),
            database: main_facts.database,
            how,
        }),
        Verdict::StandinInRecovery => Err(IdentityError::StandinInRecovery {
            standin: standin_dsn.to_string(),
        }),
        Verdict::Unproven { reason } => Err(IdentityError::Unproven {
            main: main_dsn.to_string(),
            standin: standin_dsn.to_string(),
            database: main_facts.database,
            system: main_facts.system.unwrap_or_default(),
            reason: reason.to_string(),
        }),
    }
}

/// Mark the standin session with a unique `application_name` and look for it on main.
async fn probe(main: &Session, standin: &Session) -> Probe {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let token = format!("pgsyncer-probe-{}-{nanos}", std::process::id());
    let marked = standin
        .query_one(
            "SELECT pg_backend_pid(), set_config('application_name', $1, false)",
            &[&token],
        )
        .await;
    let pid: i32 = match marked {
        Ok(row) => row.get(0),
        Err(e) => {
            tracing::debug!("standin: cannot set application_name for the identity probe: {e}");
            return Probe::Unknown;
        }
    };
    let found = main
        .query_opt(
            "SELECT datid FROM pg_stat_activity WHERE pid = $1 AND application_name = $2",
            &[&pid, &token],
        )
        .await;
    match found {
        Ok(Some(row)) => match row.get::<_, Option<u32>>(0) {
            Some(database_oid) => Probe::Seen { database_oid },
            None => Probe::Unknown,
        },
        Ok(None) => Probe::Unseen,
        Err(e) => {
            tracing::debug!("main: cannot read pg_stat_activity for the identity probe: {e}");
            Probe::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(system: Option<&str>, started: Option<&str>, oid: u32, name: &str) -> Facts {
        Facts {
            system: system.map(str::to_string),
            started: started.map(str::to_string),
            database_oid: oid,
            database: name.to_string(),
            in_recovery: false,
        }
    }

    #[test]
    fn the_probe_decides_when_main_sees_it() {
        let m = facts(Some("1"), Some("t0"), 16384, "app");
        let s = facts(Some("1"), Some("t0"), 16384, "app");
        assert!(matches!(
            decide(
                &m,
                &s,
                Probe::Seen {
                    database_oid: 16384
                }
            ),
            Verdict::Same { .. }
        ));
        // Two databases of one cluster.
        let other = facts(Some("1"), Some("t0"), 16390, "copy");
        assert_eq!(
            decide(
                &m,
                &other,
                Probe::Seen {
                    database_oid: 16390
                }
            ),
            Verdict::Distinct
        );
    }

    #[test]
    fn a_promoted_clone_is_another_server() {
        // Same system identifier, database oid and name (pg_basebackup), another start time.
        let m = facts(Some("1"), Some("t0"), 16384, "app");
        let clone = facts(Some("1"), Some("t1"), 16384, "app");
        assert_eq!(decide(&m, &clone, Probe::Unseen), Verdict::Distinct);
        assert_eq!(decide(&m, &clone, Probe::Unknown), Verdict::Distinct);
    }

    #[test]
    fn without_the_probe_the_start_time_decides() {
        let m = facts(Some("1"), Some("t0"), 16384, "app");
        let s = facts(None, Some("t0"), 16384, "app");
        assert!(matches!(
            decide(&m, &s, Probe::Unknown),
            Verdict::Same { .. }
        ));
        // Nothing tells the servers apart: refused, never assumed different.
        let (m, s) = (
            facts(Some("1"), None, 16384, "app"),
            facts(Some("1"), None, 16384, "app"),
        );
        assert!(matches!(
            decide(&m, &s, Probe::Unknown),
            Verdict::Unproven { .. }
        ));
        // …unless main's pg_stat_activity, which lists every session, lacks the probe.
        assert_eq!(decide(&m, &s, Probe::Unseen), Verdict::Distinct);
    }

    #[test]
    fn other_clusters_and_databases_are_distinct() {
        let m = facts(Some("1"), Some("t0"), 16384, "app");
        assert_eq!(
            decide(
                &m,
                &facts(Some("2"), Some("t0"), 16384, "app"),
                Probe::Unknown
            ),
            Verdict::Distinct
        );
        assert_eq!(
            decide(&m, &facts(None, None, 16385, "app"), Probe::Unknown),
            Verdict::Distinct
        );
    }

    #[test]
    fn a_standin_in_recovery_is_refused() {
        let m = facts(Some("1"), Some("t0"), 16384, "app");
        let mut s = facts(Some("2"), Some("t1"), 16384, "app");
        s.in_recovery = true;
        assert_eq!(decide(&m, &s, Probe::Unseen), Verdict::StandinInRecovery);
    }
}
