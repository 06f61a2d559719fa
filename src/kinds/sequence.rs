//! Sequences: options altered in place (`ALTER SEQUENCE`, restarting when the minimum
//! rises), `OWNED BY` set once its column exists, rebuilt when logged-ness differs.

use super::table::sequence_option_changes;
use super::Kind;
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::ddl::create;
use crate::diff::{Change, ChangeKind, Changes};
use crate::model::*;
use crate::plan::sql::{Ctx, Phase};
use crate::plan::{Action, Hazard, HazardKind, Statement};
use crate::quote::ident;

pub(crate) struct Sequences;

impl Kind for Sequences {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Sequence(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("sequences")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        load_sequences(rows, schema, oids)
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Sequence(q) = id else {
            return Vec::new();
        };
        schema
            .sequences
            .get(q)
            .map(sequence_sql)
            .unwrap_or_default()
    }

    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        7
    }

    fn after_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Sequence(q) = id else {
            return Vec::new();
        };
        schema
            .sequences
            .get(q)
            .and_then(owned_by_sql)
            .into_iter()
            .collect()
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.sequences {
            let id = ObjectId::Sequence(name.clone());
            let Some(s) = standin.sequences.get(name) else {
                changes.push(id.clone(), ChangeKind::Create);
                if m.owned_by.is_some() {
                    changes.push(id, ChangeKind::SequenceOwnedBy);
                }
                continue;
            };
            if s.options != m.options {
                changes.push(
                    id.clone(),
                    ChangeKind::AlterSequence(Box::new((s.options.clone(), m.options.clone()))),
                );
            }
            if s.unlogged != m.unlogged {
                changes.recreate(id.clone());
            }
            // Created again, it has no owner until OWNED BY runs.
            if s.owned_by != m.owned_by || (s.unlogged != m.unlogged && m.owned_by.is_some()) {
                changes.push(id, ChangeKind::SequenceOwnedBy);
            }
        }
        super::extras(
            &main.sequences,
            &standin.sequences,
            changes,
            ObjectId::Sequence,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Sequence(q) => format!("DROP SEQUENCE {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql).hazard(
            HazardKind::DeletesData,
            format!("drops {id} and its current value"),
        )
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let ObjectId::Sequence(q) = id else { return };
        match &change.kind {
            ChangeKind::AlterSequence(options) => {
                let (from, to) = options.as_ref();
                let mut parts = Vec::new();
                if from.data_type != to.data_type {
                    parts.push(format!("AS {}", to.data_type));
                }
                parts.extend(sequence_option_changes(from, to));
                // A raised minimum is above a fresh sequence's current value (PostgreSQL
                // refuses that): start again. A lowered maximum is left to the server.
                let restart = to.min > from.min;
                if restart {
                    parts.push("RESTART".to_string());
                }
                if !parts.is_empty() {
                    let st = ctx.build(
                        id,
                        12,
                        Action::Alter,
                        format!("ALTER SEQUENCE {} {}", q.sql(), parts.join(" ")),
                    );
                    if restart {
                        st.hazards.push(Hazard::new(
                            HazardKind::DeletesData,
                            "the minimum rises, so the sequence restarts at its START value (its current value is lost)",
                        ));
                    }
                }
            }
            ChangeKind::SequenceOwnedBy => {
                let Some(seq) = ctx.main.sequences.get(q) else {
                    return;
                };
                match &seq.owned_by {
                    Some((t, c)) => {
                        // Keyed on the column: once it exists.
                        let key = ObjectId::Column(TableChild::new(t.clone(), c));
                        let sql = owned_by_sql(seq).unwrap_or_default();
                        ctx.push(
                            &key,
                            Phase::Build,
                            28,
                            Statement::new(id.to_string(), Action::Alter, sql),
                        );
                    }
                    None => {
                        ctx.build(
                            id,
                            12,
                            Action::Alter,
                            format!("ALTER SEQUENCE {} OWNED BY NONE", q.sql()),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        12
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        14
    }
}

// Reading: catalog rows into the model.

fn load_sequences(rows: &Rows, schema: &mut Schema, oids: &mut OidMap) -> Result<(), CatalogError> {
    for r in rows.iter() {
        let name = r.qname("schema", "name")?;
        oids.insert("pg_class", r.get("oid")?, ObjectId::Sequence(name.clone()));
        let owner_schema: Option<String> = r.get("table_schema")?;
        let owner_table: Option<String> = r.get("table_name")?;
        let owner_column: Option<String> = r.get("column_name")?;
        let owned_by = match (owner_schema, owner_table, owner_column) {
            (Some(s), Some(t), Some(c)) => Some((QualifiedName::new(s, t), c)),
            _ => None,
        };
        schema.sequences.insert(
            name.clone(),
            Sequence {
                name,
                options: r.sequence_options("")?,
                owned_by,
                unlogged: r.get("unlogged")?,
            },
        );
    }
    Ok(())
}

// DDL: the statements that create one object, from the model alone.

/// `CREATE SEQUENCE` (OWNED BY comes later, once the table exists: [`sequence_owned_by`]).
pub(crate) fn sequence_sql(s: &Sequence) -> Vec<String> {
    vec![format!(
        "CREATE {}SEQUENCE {} {}",
        if s.unlogged { "UNLOGGED " } else { "" },
        s.name.sql(),
        create::sequence_options(&s.options, true)
    )]
}

/// `ALTER SEQUENCE … OWNED BY table.column`, if owned.
pub(crate) fn owned_by_sql(s: &Sequence) -> Option<String> {
    s.owned_by.as_ref().map(|(table, column)| {
        format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            s.name.sql(),
            table.sql(),
            ident(column)
        )
    })
}
