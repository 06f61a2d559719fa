//! One statement of a migration plan, with what it does and what it risks.

use serde::Serialize;

/// A risk a statement carries; rendered as a comment before it and listed in `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HazardKind {
    /// Rows or a whole object's data are lost (drop table, drop column, recreate).
    DeletesData,
    /// The table is rewritten (type change, SET LOGGED/UNLOGGED): time and disk in
    /// proportion to its size.
    RewritesTable,
    /// An ACCESS EXCLUSIVE (or SHARE) lock is held while the table is scanned or rebuilt.
    LongLock,
    /// The statement checks existing rows and fails if one does not fit (new NOT NULL,
    /// new unique, new check, validation, narrowed type).
    MayFailOnData,
    /// Dependent objects are dropped and recreated around the change.
    RecreatesDependents,
}

impl HazardKind {
    pub fn label(self) -> &'static str {
        match self {
            HazardKind::DeletesData => "deletes data",
            HazardKind::RewritesTable => "rewrites the table",
            HazardKind::LongLock => "takes a long lock",
            HazardKind::MayFailOnData => "may fail on existing data",
            HazardKind::RecreatesDependents => "drops and recreates dependents",
        }
    }
}

/// A hazard with the reason specific to its statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    pub kind: HazardKind,
    pub message: String,
}

impl Hazard {
    pub fn new(kind: HazardKind, message: impl Into<String>) -> Hazard {
        Hazard {
            kind,
            message: message.into(),
        }
    }
}

/// What a statement does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Alter,
    Drop,
    /// `CREATE OR REPLACE` in place.
    Replace,
}

/// One SQL statement of a plan (no trailing semicolon).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The object it acts on, as a human-readable name (`table public.t`).
    pub object: String,
    pub action: Action,
    pub sql: String,
    pub hazards: Vec<Hazard>,
    /// `None` when the statement runs inside the plan's transaction; otherwise why it
    /// cannot (it then runs after `COMMIT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_transaction: Option<String>,
    /// `Some(why)` when the statement must run, and commit, before the plan's transaction
    /// (a new enum value that the transaction then uses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_transaction: Option<String>,
}

impl Statement {
    pub fn new(object: impl Into<String>, action: Action, sql: impl Into<String>) -> Statement {
        Statement {
            object: object.into(),
            action,
            sql: sql.into(),
            hazards: Vec::new(),
            outside_transaction: None,
            before_transaction: None,
        }
    }

    pub fn hazard(mut self, kind: HazardKind, message: impl Into<String>) -> Statement {
        self.hazards.push(Hazard::new(kind, message));
        self
    }

    pub fn outside_transaction(mut self, why: impl Into<String>) -> Statement {
        self.outside_transaction = Some(why.into());
        self
    }

    /// Whether it runs inside the plan's transaction.
    pub fn in_transaction(&self) -> bool {
        self.outside_transaction.is_none() && self.before_transaction.is_none()
    }
}
