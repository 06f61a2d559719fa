//! Owners and privileges of objects (`--owners`, `--privileges`): who owns an object and
//! its effective access control list, as `aclexplode` lists it (the default ACL when the
//! catalog holds none), with the grantor left out: a plan grants as whoever applies it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// One object's owner and privileges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// The owning role; for a column, its relation's owner.
    pub owner: String,
    /// The effective privileges (for a column: only those granted on the column itself).
    pub privileges: BTreeSet<Grant>,
    /// What the object would hold with no `GRANT` or `REVOKE` ever run (`acldefault`): what
    /// a newly created one starts with. Empty for columns.
    pub defaults: BTreeSet<Grant>,
}

/// One privilege held by one grantee.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub grantee: Grantee,
    /// As `aclexplode` names it: `SELECT`, `INSERT`, `USAGE`, `EXECUTE`, …
    pub privilege: String,
    /// `WITH GRANT OPTION`.
    pub grantable: bool,
}

/// Who holds a privilege. The owner is kept apart from other roles, so two databases whose
/// objects have different owners compare equal when each owner holds the same privileges.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grantee {
    /// The object's owner, whoever that is.
    Owner,
    /// `PUBLIC`: every role.
    Public,
    /// Any other role, by name.
    Role(String),
}

/// One role's default privileges (`ALTER DEFAULT PRIVILEGES`) for one kind of object, in
/// the whole database or one schema, as what they change in the built-in defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultPrivileges {
    /// The role whose new objects get them (`FOR ROLE`).
    pub role: String,
    /// `IN SCHEMA`, or `None` for the whole database.
    pub schema: Option<String>,
    /// `pg_default_acl.defaclobjtype`: `r` tables, `S` sequences, `f` functions, `T`
    /// types, `n` schemas.
    pub object_type: String,
    /// Granted beyond the built-in defaults ([`Grantee::Owner`]: the role itself).
    pub added: BTreeSet<Grant>,
    /// Revoked from the built-in defaults (only a database-wide entry can).
    pub removed: BTreeSet<Grant>,
}
