//! Rewrite rules (`CREATE RULE`) on tables and views: created as the server rendered them,
//! replaced in place (`CREATE OR REPLACE RULE`, which keeps the enable state) when the
//! definition differs, enable state altered in place (tables only: PostgreSQL does not let
//! a view's rules be disabled). A view's `_RETURN` rule is the view itself, not a rule here.

use super::{relation_of, Kind};
use crate::catalog::{rows_of, CatalogError, OidMap, Query, Rows};
use crate::catalog_query;
use crate::diff::{same_sql, Change, ChangeKind, Changes};
use crate::model::{ObjectId, Rule, Schema, TriggerEnabled};
use crate::plan::sql::Ctx;
use crate::plan::{Action, Statement};
use crate::quote::ident;

pub(crate) struct Rules;

/// Build rank: with triggers, after the relations and functions rules name.
const RANK: u8 = 26;

/// `CREATE RULE` as the server printed it, then the enable state when not the default.
pub(crate) fn rule_sql(r: &Rule) -> Vec<String> {
    let mut out = vec![r.definition.clone()];
    out.extend(enabled_sql(r));
    out
}

/// `ALTER TABLE … DISABLE / ENABLE [REPLICA | ALWAYS] RULE`; `None` for the default.
fn enabled_sql(r: &Rule) -> Option<String> {
    let state = match r.enabled {
        TriggerEnabled::Origin => return None,
        TriggerEnabled::Disabled => "DISABLE RULE",
        TriggerEnabled::Replica => "ENABLE REPLICA RULE",
        TriggerEnabled::Always => "ENABLE ALWAYS RULE",
    };
    Some(format!(
        "ALTER TABLE {} {state} {}",
        r.table.sql(),
        ident(&r.name)
    ))
}

impl Kind for Rules {
    fn owns(&self, id: &ObjectId) -> bool {
        matches!(id, ObjectId::Rule(_))
    }

    fn queries(&self) -> &'static [Query] {
        &[catalog_query!("rules")]
    }

    fn load(
        &self,
        rows: &[Rows],
        schema: &mut Schema,
        oids: &mut OidMap,
    ) -> Result<(), CatalogError> {
        let [rows] = rows_of::<1>(rows)?;
        for r in rows.iter() {
            let key = r.table_child()?;
            let (table, name) = (key.parent.clone(), key.name.clone());
            oids.insert("pg_rewrite", r.get("oid")?, ObjectId::Rule(key.clone()));
            let definition: String = r.get("definition")?;
            schema.rules.insert(
                key,
                Rule {
                    table,
                    name,
                    // One statement, as every step is: without pg_get_ruledef's ';'.
                    definition: definition.trim_end().trim_end_matches(';').to_string(),
                    enabled: super::trigger::enabled_state(&r.get::<String>("enabled")?),
                },
            );
        }
        Ok(())
    }

    fn create_sql(&self, schema: &Schema, id: &ObjectId) -> Vec<String> {
        let ObjectId::Rule(c) = id else {
            return Vec::new();
        };
        schema.rules.get(c).map(rule_sql).unwrap_or_default()
    }

    /// After policies and statistics, with triggers in pg_dump's post-data section.
    fn section(&self, _schema: &Schema, _id: &ObjectId) -> i64 {
        17
    }

    fn diff(&self, main: &Schema, standin: &Schema, changes: &mut Changes) {
        for (key, m) in &main.rules {
            let id = ObjectId::Rule(key.clone());
            let Some(s) = standin.rules.get(key) else {
                changes.push(id, ChangeKind::Create);
                continue;
            };
            if !same_sql(&s.definition, &m.definition) {
                changes.push(id.clone(), ChangeKind::Replace);
            }
            if s.enabled != m.enabled {
                changes.push(id, ChangeKind::RuleEnabled);
            }
        }
        super::extras(&main.rules, &standin.rules, changes, ObjectId::Rule);
    }

    fn drop(&self, _standin: &Schema, id: &ObjectId) -> Statement {
        let sql = match id {
            ObjectId::Rule(c) => format!("DROP RULE {} ON {}", ident(&c.name), c.parent.sql()),
            _ => String::new(),
        };
        Statement::new(id.to_string(), Action::Drop, sql)
    }

    fn alter(&self, ctx: &mut Ctx, change: &Change) {
        let id = &change.id;
        let ObjectId::Rule(c) = id else { return };
        let Some(r) = ctx.main.rules.get(c) else {
            return;
        };
        match change.kind {
            ChangeKind::Replace => {
                let sql = r
                    .definition
                    .replacen("CREATE RULE", "CREATE OR REPLACE RULE", 1);
                ctx.build(id, RANK, Action::Replace, sql);
            }
            ChangeKind::RuleEnabled => {
                // Back to the default is ENABLE RULE.
                let sql = enabled_sql(r).unwrap_or_else(|| {
                    format!(
                        "ALTER TABLE {} ENABLE RULE {}",
                        r.table.sql(),
                        ident(&r.name)
                    )
                });
                ctx.build(id, RANK, Action::Alter, sql);
            }
            _ => {}
        }
    }

    fn build_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        RANK
    }

    fn drop_rank(&self, _schema: &Schema, _id: &ObjectId) -> u8 {
        0
    }

    /// The table or view it is on.
    fn parent(&self, schema: &Schema, id: &ObjectId) -> Option<ObjectId> {
        let ObjectId::Rule(c) = id else { return None };
        Some(relation_of(schema, &c.parent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{QualifiedName, TableChild};

    fn rule(definition: &str, enabled: TriggerEnabled) -> Rule {
        Rule {
            table: QualifiedName::new("public", "t"),
            name: "it's".into(),
            definition: definition.into(),
            enabled,
        }
    }

    #[test]
    fn create_sets_the_state_after_the_rule() {
        let r = rule(
            "CREATE RULE \"it's\" AS\n    ON DELETE TO public.t DO INSTEAD NOTHING",
            TriggerEnabled::Always,
        );
        let sql = rule_sql(&r);
        assert_eq!(sql[1], "ALTER TABLE public.t ENABLE ALWAYS RULE \"it's\"");
        let id = ObjectId::Rule(TableChild::new(r.table.clone(), r.name.clone()));
        for s in &sql {
            crate::ddl::validate(&id, s).expect("parses");
        }
    }

    #[test]
    fn a_changed_definition_is_replaced_and_a_state_altered() {
        let key = TableChild::new(QualifiedName::new("public", "t"), "it's");
        let mut main = Schema::default();
        let mut standin = Schema::default();
        main.rules.insert(
            key.clone(),
            rule(
                "CREATE RULE \"it's\" AS ON DELETE TO public.t DO INSTEAD NOTHING",
                TriggerEnabled::Origin,
            ),
        );
        standin.rules.insert(
            key.clone(),
            rule(
                "CREATE RULE \"it's\" AS ON UPDATE TO public.t DO INSTEAD NOTHING",
                TriggerEnabled::Disabled,
            ),
        );
        let d = crate::diff::diff(&main, &standin, Default::default());
        let kinds: Vec<&ChangeKind> = d.changes.iter().map(|c| &c.kind).collect();
        assert_eq!(kinds, vec![&ChangeKind::Replace, &ChangeKind::RuleEnabled]);
        let plan = crate::plan::build(&main, &standin, Default::default(), Default::default())
            .expect("plan");
        let sql: Vec<&str> = plan.statements.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(
            sql,
            vec![
                "CREATE OR REPLACE RULE \"it's\" AS ON DELETE TO public.t DO INSTEAD NOTHING",
                "ALTER TABLE public.t ENABLE RULE \"it's\"",
            ]
        );
    }
}
