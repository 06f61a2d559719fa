//! Extended statistics (`CREATE STATISTICS`): created as the server rendered them, the
//! target (`ALTER STATISTICS … SET STATISTICS`) altered in place, rebuilt when the
//! definition differs. Nothing depends on a statistics object, so a rebuild touches
//! nothing else.

use super::{relation_of, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::{ObjectId, Schema, Statistics};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};

pub(crate) struct StatisticsObjects;

/// Build rank: after the indexes and keys of its table (pg_dump's post-data section).
const RANK: u8 = 22;

/// `CREATE STATISTICS` as the server printed it, then the target when not the default.
pub(crate) fn statistics_sql(s: &Statistics) -> Vec<String> {
    let mut out = vec![s.definition.trim().trim_end_matches(';').to_string()];
    if let Some(target) = s.target {
        out.push(target_sql(s, target));
    }
    out
}

/// `ALTER STATISTICS … SET STATISTICS n` (-1: back to the default, on every version).
fn target_sql(s: &Statistics, target: i32) -> String {
    format!("ALTER STATISTICS {} SET STATISTICS {target}", s.name.sql())
}

impl Kind for StatisticsObjects {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Statistics(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("statistics")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let name = r.qname("schema", "name")?;
            oids.insert(
                "pg_statistic_ext",
                r.get("oid")?,
                ObjectId::Statistics(name.clone()),
            );
            schema.statistics.insert(
                name.clone(),
                Statistics {
                    name,
                    table: r.qname("table_schema", "table_name")?,
                    definition: r.get("definition")?,
                    target: r.get("target")?,
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Statistics(q) = id else {
            return Vec::new();
        };
        schema
            .statistics
            .get(q)
            .map(statistics_sql)
            .unwrap_or_default()
    }

    /// After policies: pg_dump's post-data section, with indexes.
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        16
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (name, m) in &main.statistics {
            let id = ObjectId::Statistics(name.clone());
            match standin.statistics.get(name) {
                None => changes.push(id, ChangeKind::Create),
                Some(s) if s.table != m.table || !same_sql(&s.definition, &m.definition) => {
                    changes.recreate(id)
                }
                Some(s) if s.target != m.target => changes.push(id, ChangeKind::StatisticsTarget),
                Some(_) => {}
            }
        }
        super::extras(
            &main.statistics,
            &standin.statistics,
            changes,
            ObjectId::Statistics,
        );
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Statistics(q) => format!("DROP STATISTICS {}", q.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let (ObjectId::Statistics(q), ChangeKind::StatisticsTarget) = (id, &change.kind) else {
            return;
        };
        let Some(s) = ctx.main.statistics.get(q) else {
            return;
        };
        let sql = target_sql(s, s.target.unwrap_or(-1));
        ctx.build(id, RANK, Action::Alter, sql);
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        2
    }

    /// The table or materialized view it is on.
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::Statistics(q) = id else {
            return None;
        };
        schema
            .statistics
            .get(q)
            .map(|s| relation_of(schema, &s.table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;

    fn stats(definition: &str, target: Option<i32>) -> Statistics {
        Statistics {
            name: QualifiedName::new("st", "s\"1"),
            table: QualifiedName::new("public", "t"),
            definition: definition.into(),
            target,
        }
    }

    #[test]
    fn a_target_is_altered_in_place_and_a_definition_rebuilt() {
        let name = QualifiedName::new("st", "s\"1");
        let def = "CREATE STATISTICS st.\"s\"\"1\" ON a, b FROM public.t";
        let mut main = Schema::default();
        let mut standin = Schema::default();
        main.statistics.insert(name.clone(), stats(def, None));
        standin
            .statistics
            .insert(name.clone(), stats(def, Some(300)));
        let plan = crate::plan::build(&main, &standin, Default::default(), Default::default())
            .expect("plan");
        let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec!["ALTER STATISTICS st.\"s\"\"1\" SET STATISTICS -1"]
        );
        let other = "CREATE STATISTICS st.\"s\"\"1\" (mcv) ON a, b FROM public.t";
        main.statistics.insert(name.clone(), stats(other, Some(10)));
        let plan = crate::plan::build(&main, &standin, Default::default(), Default::default())
            .expect("plan");
        let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec![
                "DROP STATISTICS st.\"s\"\"1\"",
                other,
                "ALTER STATISTICS st.\"s\"\"1\" SET STATISTICS 10",
            ]
        );
    }
}
