//! Row-level security policies: created, dropped, rebuilt when anything differs.

use super::{diff_whole, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::Changes;
use crate::model::*;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Policies;

impl Kind for Policies {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Policy(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("policies")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_policies(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Policy(c) = id else {
            return Vec::new();
        };
        schema.policies.get(c).map(policy_sql).unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        15
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        diff_whole(main, standin, changes, |s| &s.policies, ObjectId::Policy);
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Policy(c) => format!("DROP POLICY {} ON {}", ident(&c.name), c.parent.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        26
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    fn parent(&self, _schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        match id {
            ObjectId::Policy(c) => Some(ObjectId::Table(c.parent.clone())),
            _ => None,
        }
    }
}

// Reading: catalog rows into the model.

fn load_policies(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let key = r.table_child()?;
        let (table, name) = (key.parent.clone(), key.name.clone());
        oids.insert("pg_policy", r.get("oid")?, ObjectId::Policy(key.clone()));
        let command = match r.get::<String>("command")?.as_str() {
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => PolicyCommand::All,
        };
        schema.policies.insert(
            key,
            Policy {
                table,
                name,
                permissive: r.get("permissive")?,
                command,
                roles: r.get("roles")?,
                using: r.get("using_expr")?,
                with_check: r.get("check_expr")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE POLICY`.
pub(crate) fn policy_sql(p: &Policy) -> Vec<String> {
    let command = match p.command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    };
    let roles: Vec<String> = p
        .roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                ident(r)
            }
        })
        .collect();
    let mut sql = format!(
        "CREATE POLICY {} ON {} AS {} FOR {command} TO {}",
        ident(&p.name),
        p.table.sql(),
        if p.permissive {
            "PERMISSIVE"
        } else {
            "RESTRICTIVE"
        },
        roles.join(", ")
    );
    if let Some(u) = &p.using {
        sql.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.with_check {
        sql.push_str(&format!(" WITH CHECK ({c})"));
    }
    vec![sql]
}
