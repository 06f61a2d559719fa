//! Foreign servers: created, dropped, altered in place (`VERSION`, `OPTIONS`); a server
//! whose wrapper or `TYPE` differs, or whose version main does not set, is built anew
//! with its user mappings and foreign tables. pgsyncer's own `--fdw-mode` server is never
//! in the model (see `catalog::load::foreign_servers`), so it is never touched here.

use super::foreign_data_wrapper::{alter_options, options_clause, report_secrets, without_secrets};
use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ForeignServer, ObjectId, Schema};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::{ident, literal};

pub(crate) struct ForeignServers;

impl Kind for ForeignServers {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::ForeignServer(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("foreign_servers")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let name: String = r.get("name")?;
            // pgsyncer's own --fdw-mode server (kept by --fdw-keep, or left by a run that
            // was killed) is no part of either schema: never created, reported nor dropped.
            if name == crate::data::strategy::fdw::SERVER {
                continue;
            }
            let id = ObjectId::ForeignServer(name.clone());
            oids.insert("pg_foreign_server", r.get("oid")?, id.clone());
            // An extension's wrapper stands for its extension (read before: kinds load in
            // ALL's order), so the server comes after it and goes when it is rebuilt.
            if let Some(ext) = r.get::<Option<String>>("wrapper_extension")? {
                if schema.extensions.contains_key(&ext) {
                    oids.insert(
                        "pg_foreign_data_wrapper",
                        r.get("wrapper_oid")?,
                        ObjectId::Extension(ext),
                    );
                }
            }
            let secret_options: Vec<String> = r.get("secret_options")?;
            report_secrets(schema, &id, &secret_options);
            schema.foreign_servers.insert(
                name.clone(),
                ForeignServer {
                    name,
                    wrapper: r.get("wrapper")?,
                    server_type: r.get("server_type")?,
                    version: r.get("version")?,
                    options: without_secrets(r.json("options")?),
                    secret_options,
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::ForeignServer(n) = id else {
            return Vec::new();
        };
        schema
            .foreign_servers
            .get(n)
            .map(create_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        6
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.foreign_servers {
            let id = ObjectId::ForeignServer(name.clone());
            match standin.foreign_servers.get(name) {
                None => changes.push(id, ChangeKind::Create),
                // ALTER SERVER cannot change the wrapper or the type, nor unset a version.
                Some(s)
                    if s.wrapper != m.wrapper
                        || s.server_type != m.server_type
                        || (m.version.is_none() && s.version.is_some()) =>
                {
                    changes.recreate(id)
                }
                Some(s) if alter_sql(s, m).is_some() => changes.push(id, ChangeKind::AlterInPlace),
                Some(_) => {}
            }
        }
        super::extras(
            &main.foreign_servers,
            &standin.foreign_servers,
            changes,
            ObjectId::ForeignServer,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::ForeignServer(n) => format!("DROP SERVER {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let ObjectId::ForeignServer(n) = &change.id else {
            return;
        };
        let (Some(m), Some(s)) = (
            ctx.main.foreign_servers.get(n),
            ctx.standin.foreign_servers.get(n),
        ) else {
            return;
        };
        if let Some(sql) = alter_sql(s, m) {
            ctx.build(&change.id, 4, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        4
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        20
    }

    /// Its wrapper, when the model has it (one an extension owns comes with the
    /// extension, which is built earlier).
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::ForeignServer(n) = id else {
            return None;
        };
        let wrapper = &schema.foreign_servers.get(n)?.wrapper;
        schema
            .foreign_data_wrappers
            .contains_key(wrapper)
            .then(|| ObjectId::ForeignDataWrapper(wrapper.clone()))
    }
}

/// `CREATE SERVER … [TYPE …] [VERSION …] FOREIGN DATA WRAPPER … [OPTIONS (…)]` (its
/// secret options, if any, left out).
pub(crate) fn create_sql(s: &ForeignServer) -> Vec<String> {
    let mut sql = format!("CREATE SERVER {}", ident(&s.name));
    if let Some(t) = &s.server_type {
        sql.push_str(&format!(" TYPE {}", literal(t)));
    }
    if let Some(v) = &s.version {
        sql.push_str(&format!(" VERSION {}", literal(v)));
    }
    sql.push_str(&format!(" FOREIGN DATA WRAPPER {}", ident(&s.wrapper)));
    sql.push_str(&options_clause(&s.options));
    vec![sql]
}

/// `ALTER SERVER … [VERSION …] [OPTIONS (…)]` from the standin's `s` to main's `m`, or
/// `None` when nothing ALTER SERVER can change differs.
fn alter_sql(s: &ForeignServer, m: &ForeignServer) -> Option<String> {
    let mut parts = Vec::new();
    if s.version != m.version {
        if let Some(v) = &m.version {
            parts.push(format!("VERSION {}", literal(v)));
        }
    }
    if let Some(options) = alter_options(&s.options, &m.options) {
        parts.push(options);
    }
    (!parts.is_empty()).then(|| format!("ALTER SERVER {} {}", ident(&m.name), parts.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_is_created_and_altered_with_quoted_names_and_values() {
        let s = ForeignServer {
            name: "Srv".into(),
            wrapper: "dummy".into(),
            server_type: Some("oracle's".into()),
            version: None,
            options: vec![("host".into(), "a".into())],
            secret_options: vec![],
        };
        assert_eq!(
            create_sql(&s),
            vec!["CREATE SERVER \"Srv\" TYPE 'oracle''s' FOREIGN DATA WRAPPER dummy OPTIONS (host 'a')"]
        );
        let m = ForeignServer {
            version: Some("2".into()),
            options: vec![],
            ..s.clone()
        };
        assert_eq!(
            alter_sql(&s, &m).as_deref(),
            Some("ALTER SERVER \"Srv\" VERSION '2' OPTIONS (DROP host)")
        );
        assert_eq!(alter_sql(&m, &m), None);
    }
}
