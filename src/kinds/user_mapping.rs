//! User mappings: created, dropped, options altered in place. A secret (an option whose
//! name contains `password`) is never read, so it is never copied, compared nor dropped:
//! the catalog reports it as not synced, and a plan or dump says so.

use super::foreign_data_wrapper::{alter_options, options_clause, report_secrets, without_secrets};
use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema, UserMapping};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct UserMappings;

impl Kind for UserMappings {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::UserMapping { .. })
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("user_mappings")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let server: String = r.get("server")?;
            // Left out with pgsyncer's own --fdw-mode server: it holds main's password.
            if server == crate::data::strategy::fdw::SERVER {
                continue;
            }
            let role: Option<String> = r.get("role")?;
            let id = ObjectId::UserMapping {
                server: server.clone(),
                role: role.clone(),
            };
            oids.insert("pg_user_mapping", r.get("oid")?, id.clone());
            let secret_options: Vec<String> = r.get("secret_options")?;
            report_secrets(schema, &id, &secret_options);
            schema.user_mappings.insert(
                id,
                UserMapping {
                    server,
                    role,
                    options: without_secrets(r.json("options")?),
                    secret_options,
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        schema
            .user_mappings
            .get(id)
            .map(create_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (id, m) in &main.user_mappings {
            match standin.user_mappings.get(id) {
                None => changes.push(id.clone(), ChangeKind::Create),
                Some(s) if s.options != m.options => {
                    changes.push(id.clone(), ChangeKind::AlterInPlace)
                }
                Some(_) => {}
            }
        }
        super::extras(&main.user_mappings, &standin.user_mappings, changes, |id| {
            id
        });
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::UserMapping { server, role } => {
                format!("DROP USER MAPPING {}", target(server, role.as_deref()))
            }
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let (Some(m), Some(s)) = (
            ctx.main.user_mappings.get(id),
            ctx.standin.user_mappings.get(id),
        ) else {
            return;
        };
        if let Some(options) = alter_options(&s.options, &m.options) {
            let sql = format!(
                "ALTER USER MAPPING {} {options}",
                target(&m.server, m.role.as_deref())
            );
            ctx.build(id, 5, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        5
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        19
    }

    /// Its server.
    fn parent(&self, _schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        match id {
            ObjectId::UserMapping { server, .. } => Some(ObjectId::ForeignServer(server.clone())),
            _ => None,
        }
    }
}

/// `FOR role SERVER server` (`FOR PUBLIC` without a role). A role named like a keyword
/// (`current_user`) is quoted by [`ident`], so it names that role, not the session's.
fn target(server: &str, role: Option<&str>) -> String {
    format!(
        "FOR {} SERVER {}",
        role.map_or_else(|| "PUBLIC".to_string(), ident),
        ident(server)
    )
}

/// `CREATE USER MAPPING FOR … SERVER … [OPTIONS (…)]`, without its secrets (which the
/// model never holds: see [`UserMapping::secret_options`]).
pub(crate) fn create_sql(m: &UserMapping) -> Vec<String> {
    vec![format!(
        "CREATE USER MAPPING {}{}",
        target(&m.server, m.role.as_deref()),
        options_clause(&m.options)
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_keyword_roles_are_told_apart() {
        let m = UserMapping {
            server: "s".into(),
            role: None,
            options: vec![("user".into(), "u".into())],
            secret_options: vec!["password".into()],
        };
        assert_eq!(
            create_sql(&m),
            vec!["CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (\"user\" 'u')"]
        );
        let r = UserMapping {
            role: Some("current_user".into()),
            options: vec![],
            ..m
        };
        assert_eq!(
            create_sql(&r),
            vec!["CREATE USER MAPPING FOR \"current_user\" SERVER s"]
        );
    }
}
