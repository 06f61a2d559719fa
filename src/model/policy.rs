//! Row-level security policies.

use serde::{Deserialize, Serialize};

use super::QualifiedName;

/// A policy (`CREATE POLICY`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The table it is on.
    pub table: QualifiedName,
    /// Policy name.
    pub name: String,
    /// `AS PERMISSIVE` (true) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// `FOR ALL / SELECT / INSERT / UPDATE / DELETE`.
    pub command: PolicyCommand,
    /// `TO` roles, as names (`public` for PUBLIC), sorted.
    pub roles: Vec<String>,
    /// `USING (…)` expression (`pg_get_expr`).
    pub using: Option<String>,
    /// `WITH CHECK (…)` expression.
    pub with_check: Option<String>,
}

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}
