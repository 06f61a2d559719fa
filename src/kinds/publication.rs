//! Publications: created, dropped, and altered in place: their options (`SET (…)`) and
//! members (`ADD` / `DROP TABLE ONLY …`, `TABLES IN SCHEMA …`; a table whose column list
//! or row filter differs is dropped from it and added again). `FOR ALL TABLES` cannot be
//! switched by `ALTER`: that builds the publication anew. Members are added with `ONLY`,
//! so an inheritance parent's children join only when the publication names them too.

use serde::Deserialize;

use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::{ObjectId, Publication, PublishActions, PublishedTable, QualifiedName, Schema};
use crate::plan::sql::{Ctx, Phase};
use crate::plan::{Action, Statement};
use crate::quote::{ident, literal};

pub(crate) struct Publications;

impl Kind for Publications {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Publication(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("publications")]
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
            let id = ObjectId::Publication(name.clone());
            oids.insert("pg_publication", r.get("oid")?, id.clone());
            let tables: Vec<TableRow> = r.json("tables")?;
            let schemas: Vec<SchemaRow> = r.json("schemas")?;
            // A member's pg_depend rows (on its table, its schema, its column list, what
            // its row filter calls) are the publication's.
            for t in &tables {
                oids.insert("pg_publication_rel", t.oid, id.clone());
            }
            for s in &schemas {
                oids.insert("pg_publication_namespace", s.oid, id.clone());
            }
            schema.publications.insert(
                name.clone(),
                Publication {
                    name,
                    all_tables: r.get("all_tables")?,
                    publish: PublishActions {
                        insert: r.get("publish_insert")?,
                        update: r.get("publish_update")?,
                        delete: r.get("publish_delete")?,
                        truncate: r.get("publish_truncate")?,
                    },
                    via_root: r.get("via_root")?,
                    generated_columns: r.get("generated_columns")?,
                    tables: tables
                        .into_iter()
                        .map(|t| {
                            (
                                QualifiedName::new(t.schema, t.name),
                                PublishedTable {
                                    columns: t.columns,
                                    row_filter: t.row_filter,
                                },
                            )
                        })
                        .collect(),
                    schemas: schemas.into_iter().map(|s| s.schema).collect(),
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Publication(n) = id else {
            return Vec::new();
        };
        schema
            .publications
            .get(n)
            .map(create_sql)
            .unwrap_or_default()
    }

    /// After what it publishes.
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        16
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.publications {
            let id = ObjectId::Publication(name.clone());
            match standin.publications.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) if s.all_tables != m.all_tables => changes.recreate(id),
                Some(s) if alter_sql(s, m) != (vec![], vec![]) => {
                    changes.push(id, ChangeKind::AlterInPlace)
                }
                Some(_) => {}
            }
        }
        super::extras(
            &main.publications,
            &standin.publications,
            changes,
            ObjectId::Publication,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Publication(n) => format!("DROP PUBLICATION {}", ident(n)),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let ObjectId::Publication(n) = &change.id else {
            return;
        };
        let (Some(m), Some(s)) = (
            ctx.main.publications.get(n),
            ctx.standin.publications.get(n),
        ) else {
            return;
        };
        let (drops, builds) = alter_sql(s, m);
        // Members leave in the drop phase: before a table or schema that goes too
        // (which takes its membership with it, so a later DROP TABLE would fail).
        for sql in drops {
            let statement = Statement::new(change.id.to_string(), Action::Alter, sql);
            ctx.push(&change.id, Phase::Drop, 1, statement);
        }
        for sql in builds {
            ctx.build(&change.id, 27, Action::Alter, sql);
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        27
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        1
    }
}

/// A `TABLE` member as `sql/publications.sql` lists it.
#[derive(Deserialize)]
struct TableRow {
    oid: u32,
    schema: String,
    name: String,
    columns: Option<Vec<String>>,
    row_filter: Option<String>,
}

/// A `TABLES IN SCHEMA` member.
#[derive(Deserialize)]
struct SchemaRow {
    oid: u32,
    schema: String,
}

/// `publish = '…'` as pg_dump writes it.
fn publish_option(p: &Publication) -> String {
    let a = &p.publish;
    let actions: Vec<&str> = [
        (a.insert, "insert"),
        (a.update, "update"),
        (a.delete, "delete"),
        (a.truncate, "truncate"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect();
    format!("publish = {}", literal(&actions.join(", ")))
}

/// `TABLE ONLY t (columns) WHERE (filter)`, as `ADD` names a member.
fn member_sql(table: &QualifiedName, t: &PublishedTable) -> String {
    let mut s = format!("TABLE ONLY {}", table.sql());
    if let Some(columns) = &t.columns {
        let columns: Vec<String> = columns.iter().map(|c| ident(c)).collect();
        s.push_str(&format!(" ({})", columns.join(", ")));
    }
    if let Some(f) = &t.row_filter {
        s.push_str(&format!(" WHERE ({f})"));
    }
    s
}

/// `CREATE PUBLICATION … [FOR ALL TABLES] WITH (…)`, then one `ALTER PUBLICATION … ADD`
/// per member (as pg_dump does: each member waits for its table, not the other way round).
/// `publish_generated_columns` is written only when set: servers before 18 do not know it.
pub(crate) fn create_sql(p: &Publication) -> Vec<String> {
    let mut options = vec![publish_option(p)];
    if p.via_root {
        options.push("publish_via_partition_root = true".to_string());
    }
    if p.generated_columns {
        options.push("publish_generated_columns = stored".to_string());
    }
    let name = ident(&p.name);
    let mut out = vec![format!(
        "CREATE PUBLICATION {name}{} WITH ({})",
        if p.all_tables { " FOR ALL TABLES" } else { "" },
        options.join(", ")
    )];
    for (table, t) in &p.tables {
        out.push(format!(
            "ALTER PUBLICATION {name} ADD {}",
            member_sql(table, t)
        ));
    }
    for schema in &p.schemas {
        out.push(format!(
            "ALTER PUBLICATION {name} ADD TABLES IN SCHEMA {}",
            ident(schema)
        ));
    }
    out
}

/// What turns the standin's `s` into main's `m` (same `FOR ALL TABLES`): the members to
/// drop (a table whose column list or row filter differs too), then the options that
/// differ in one `SET (…)` and the members to add.
fn alter_sql(s: &Publication, m: &Publication) -> (Vec<String>, Vec<String>) {
    let name = ident(&m.name);
    let mut out = Vec::new();
    let mut drops = Vec::new();
    let mut options = Vec::new();
    if s.publish != m.publish {
        options.push(publish_option(m));
    }
    if s.via_root != m.via_root {
        options.push(format!("publish_via_partition_root = {}", m.via_root));
    }
    if s.generated_columns != m.generated_columns {
        let value = if m.generated_columns {
            "stored"
        } else {
            "none"
        };
        options.push(format!("publish_generated_columns = {value}"));
    }
    if !options.is_empty() {
        out.push(format!(
            "ALTER PUBLICATION {name} SET ({})",
            options.join(", ")
        ));
    }
    for (table, t) in &s.tables {
        if m.tables.get(table) != Some(t) {
            drops.push(format!(
                "ALTER PUBLICATION {name} DROP TABLE ONLY {}",
                table.sql()
            ));
        }
    }
    for schema in &s.schemas {
        if !m.schemas.contains(schema) {
            drops.push(format!(
                "ALTER PUBLICATION {name} DROP TABLES IN SCHEMA {}",
                ident(schema)
            ));
        }
    }
    for (table, t) in &m.tables {
        if s.tables.get(table) != Some(t) {
            out.push(format!(
                "ALTER PUBLICATION {name} ADD {}",
                member_sql(table, t)
            ));
        }
    }
    for schema in &m.schemas {
        if !s.schemas.contains(schema) {
            out.push(format!(
                "ALTER PUBLICATION {name} ADD TABLES IN SCHEMA {}",
                ident(schema)
            ));
        }
    }
    (drops, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication() -> Publication {
        Publication {
            name: "p".into(),
            all_tables: false,
            publish: PublishActions {
                insert: true,
                update: true,
                delete: false,
                truncate: false,
            },
            via_root: false,
            generated_columns: false,
            tables: Default::default(),
            schemas: vec![],
        }
    }

    #[test]
    fn members_are_added_with_only_their_columns_and_filter() {
        let mut p = publication();
        p.tables.insert(
            QualifiedName::new("public", "Items"),
            PublishedTable {
                columns: Some(vec!["id".into(), "odd col".into()]),
                row_filter: Some("(id > 0)".into()),
            },
        );
        p.schemas.push("sales".into());
        assert_eq!(
            create_sql(&p),
            vec![
                "CREATE PUBLICATION p WITH (publish = 'insert, update')",
                "ALTER PUBLICATION p ADD TABLE ONLY public.\"Items\" (id, \"odd col\") WHERE ((id > 0))",
                "ALTER PUBLICATION p ADD TABLES IN SCHEMA sales",
            ]
        );
    }

    #[test]
    fn members_leave_in_the_drop_phase_and_options_change_in_one_set() {
        let mut s = publication();
        let t = QualifiedName::new("public", "t");
        s.tables.insert(
            t.clone(),
            PublishedTable {
                columns: None,
                row_filter: None,
            },
        );
        s.schemas.push("old".into());
        let mut m = publication();
        m.via_root = true;
        m.publish.delete = true;
        m.tables.insert(
            t,
            PublishedTable {
                columns: Some(vec!["a".into()]),
                row_filter: None,
            },
        );
        let (drops, builds) = alter_sql(&s, &m);
        assert_eq!(
            drops,
            vec![
                "ALTER PUBLICATION p DROP TABLE ONLY public.t",
                "ALTER PUBLICATION p DROP TABLES IN SCHEMA old",
            ]
        );
        assert_eq!(
            builds,
            vec![
                "ALTER PUBLICATION p SET (publish = 'insert, update, delete', publish_via_partition_root = true)",
                "ALTER PUBLICATION p ADD TABLE ONLY public.t (a)",
            ]
        );
        assert_eq!(alter_sql(&m, &m), (vec![], vec![]));
    }
}
