//! Event triggers.

use serde::{Deserialize, Serialize};

use super::{ObjectId, TriggerEnabled};

/// An event trigger (`CREATE EVENT TRIGGER`): database-wide, in no schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    /// Name (database-wide).
    pub name: String,
    /// The event: `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite`,
    /// `login` (17+).
    pub event: String,
    /// `WHEN TAG IN (…)`, as stored (upper case); `None` without a filter.
    pub tags: Option<Vec<String>>,
    /// The function it executes ([`ObjectId::Function`], no arguments).
    pub function: ObjectId,
    /// `evtenabled`: `ALTER EVENT TRIGGER … ENABLE [REPLICA | ALWAYS]` / `DISABLE`, the same
    /// four states as a trigger's.
    pub enabled: TriggerEnabled,
}
