//! Triggers.

use serde::{Deserialize, Serialize};

use super::{ObjectId, QualifiedName};

/// A trigger on a table or view (not internal ones: those belong to constraints; not the
/// clones PostgreSQL makes on partitions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    /// The table (or view) it is on.
    pub table: QualifiedName,
    /// Trigger name.
    pub name: String,
    /// `pg_get_triggerdef(oid, false)`: the whole `CREATE [CONSTRAINT] TRIGGER` statement
    /// (timing, events, `UPDATE OF`, `REFERENCING`, `FOR EACH`, `WHEN`, function, args).
    pub definition: String,
    /// The function it calls ([`ObjectId::Function`]).
    pub function: ObjectId,
    /// `tgenabled`: origin (default), disabled, replica, always.
    pub enabled: TriggerEnabled,
    /// `CREATE CONSTRAINT TRIGGER`.
    pub is_constraint: bool,
    /// The partitions whose clone of this trigger is in another state than this one
    /// (`ALTER TABLE partition DISABLE TRIGGER …`), by partition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition_states: Vec<(QualifiedName, TriggerEnabled)>,
}

/// `ALTER TABLE … ENABLE / DISABLE / ENABLE REPLICA / ENABLE ALWAYS TRIGGER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerEnabled {
    /// `O`: fires in origin and local modes (the default).
    Origin,
    /// `D`: disabled.
    Disabled,
    /// `R`: fires only in replica mode.
    Replica,
    /// `A`: always fires.
    Always,
}
