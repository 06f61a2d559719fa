//! The SQL of owners and privileges: `ALTER … OWNER TO`, `GRANT`, `REVOKE`, for plans and
//! for `dump --owners --privileges`.

use crate::diff::{DefaultPrivilegeChange, PrivilegeAction, PrivilegeChange, RoleSpec};
use crate::model::{FunctionKind, ObjectId, Schema};
use crate::quote::{ident, qualified};

/// `ALTER <object> OWNER TO role`, for objects that have an owner of their own (not a
/// column, index, constraint, trigger or policy: those follow their table).
pub fn owner_sql(schema: &Schema, id: &ObjectId, role: &str) -> Option<String> {
    if matches!(
        id,
        ObjectId::Column(_)
            | ObjectId::Index(_)
            | ObjectId::Constraint(_)
            | ObjectId::Trigger(_)
            | ObjectId::Policy(_)
            | ObjectId::DomainConstraint(_)
            | ObjectId::Extension(_)
    ) {
        return None;
    }
    let target = super::create::comment_target(schema, id);
    Some(format!("ALTER {target} OWNER TO {}", ident(role)))
}

/// The GRANT and REVOKE statements of `changes` on `id`: one per action and grantee, its
/// privileges listed together.
pub fn privilege_sql(schema: &Schema, id: &ObjectId, changes: &[PrivilegeChange]) -> Vec<String> {
    let Some((target, column)) = grant_target(schema, id) else {
        return Vec::new();
    };
    grant_statements(changes, column.as_deref(), &format!("ON {target}"), "")
}

/// `ALTER DEFAULT PRIVILEGES FOR ROLE … [IN SCHEMA …] GRANT|REVOKE … ON TABLES …`.
pub fn default_privilege_sql(change: &DefaultPrivilegeChange) -> Vec<String> {
    let objects = match change.object_type.as_str() {
        "r" => "TABLES",
        "S" => "SEQUENCES",
        "f" => "FUNCTIONS",
        "T" => "TYPES",
        "n" => "SCHEMAS",
        _ => return Vec::new(),
    };
    let mut prefix = format!("ALTER DEFAULT PRIVILEGES FOR ROLE {}", ident(&change.role));
    if let Some(s) = &change.schema {
        prefix.push_str(&format!(" IN SCHEMA {}", ident(s)));
    }
    grant_statements(
        &change.changes,
        None,
        &format!("ON {objects}"),
        &format!("{prefix} "),
    )
}

/// One GRANT or REVOKE per run of `changes` with the same action and grantee, each
/// `prefix` + statement; `column` names a column's privileges.
fn grant_statements(
    changes: &[PrivilegeChange],
    column: Option<&str>,
    on: &str,
    prefix: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = changes;
    while let Some(first) = rest.first() {
        let same = rest
            .iter()
            .take_while(|c| c.action == first.action && c.grantee == first.grantee)
            .count();
        let (group, after) = rest.split_at(same);
        rest = after;
        let privileges: Vec<String> = group
            .iter()
            .map(|c| match column {
                Some(col) => format!("{} ({col})", c.privilege),
                None => c.privilege.clone(),
            })
            .collect();
        let privileges = privileges.join(", ");
        let grantee = match &first.grantee {
            RoleSpec::Public => "PUBLIC".to_string(),
            RoleSpec::CurrentUser => "CURRENT_USER".to_string(),
            RoleSpec::Role(r) => ident(r),
        };
        let statement = match first.action {
            PrivilegeAction::Grant => format!("GRANT {privileges} {on} TO {grantee}"),
            PrivilegeAction::GrantWithOption => {
                format!("GRANT {privileges} {on} TO {grantee} WITH GRANT OPTION")
            }
            PrivilegeAction::RevokeGrantOption => {
                format!("REVOKE GRANT OPTION FOR {privileges} {on} FROM {grantee}")
            }
            PrivilegeAction::Revoke => format!("REVOKE {privileges} {on} FROM {grantee}"),
        };
        out.push(format!("{prefix}{statement}"));
    }
    out
}

/// What GRANT names `id` as (`TABLE s.t`, `FUNCTION s.f(int)`, …), and the column for a
/// column's privileges; `None` for kinds that hold no privileges.
fn grant_target(schema: &Schema, id: &ObjectId) -> Option<(String, Option<String>)> {
    let target = match id {
        ObjectId::Table(q)
        | ObjectId::View(q)
        | ObjectId::MaterializedView(q)
        | ObjectId::ForeignTable(q) => format!("TABLE {}", q.sql()),
        ObjectId::ForeignDataWrapper(n) => format!("FOREIGN DATA WRAPPER {}", ident(n)),
        ObjectId::ForeignServer(n) => format!("FOREIGN SERVER {}", ident(n)),
        ObjectId::Column(c) => {
            return Some((format!("TABLE {}", c.parent.sql()), Some(ident(&c.name))))
        }
        ObjectId::Sequence(q) => format!("SEQUENCE {}", q.sql()),
        ObjectId::Schema(n) => format!("SCHEMA {}", ident(n)),
        ObjectId::Domain(q) => format!("DOMAIN {}", q.sql()),
        ObjectId::Enum(q) | ObjectId::Composite(q) | ObjectId::Range(q) => {
            format!("TYPE {}", q.sql())
        }
        ObjectId::Function {
            schema: s,
            name,
            args,
        } => match schema.functions.get(id).map(|f| f.kind) {
            // GRANT knows FUNCTION and PROCEDURE; an aggregate is granted as a function,
            // with `()` where COMMENT ON writes `(*)`.
            Some(FunctionKind::Aggregate) => format!("FUNCTION {}({args})", qualified(s, name)),
            _ => super::create::routine(schema, id)?,
        },
        _ => return None,
    };
    Some((target, None))
}
