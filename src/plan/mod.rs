//! Migration plans: the ordered, validated SQL that makes the standin's schema equal main's.
//!
//! [`build`] takes the two models, asks [`crate::diff`] what differs, turns each change into
//! statements ([`sql`]), orders them ([`order`]: drops first in reverse dependency order,
//! then creates and alterations in dependency order), marks hazards and parses every
//! statement with `pg_query` ([`validate`]). No I/O: [`crate::apply`] runs a plan.
//!
//! # Layout
//! - [`statement`]: [`Statement`], [`Hazard`], [`Action`].
//! - [`sql`]: SQL for each change (creates come from [`crate::ddl`]).
//! - [`order`]: the dependency order.
//! - [`render`]: the SQL file and the JSON form.
//! - [`unsynced`]: main's objects of kinds pgsyncer does not model, reported.

pub mod order;
pub mod render;
pub mod sql;
pub mod statement;
pub mod unsynced;

pub use render::{render_body, render_json, render_sql};
pub use statement::{Action, Hazard, HazardKind, Statement};
pub use unsynced::NotSynced;

use crate::model::Schema;

/// A plan could not be made. Every variant is a bug in pgsyncer or an unsupported case,
/// reported with the object and statement concerned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A generated statement does not parse: a bug in the SQL generator.
    #[error(
        "generated SQL for {object} does not parse ({message}); this is a bug in pgsyncer:\n{sql}"
    )]
    InvalidSql {
        object: String,
        sql: String,
        message: String,
    },
    /// The dependency graph has a cycle: the objects in it are named.
    #[error("cannot order the changes, they depend on each other in a cycle: {0}")]
    Cycle(String),
    /// `--owners` / `--privileges` name roles the standin's cluster lacks.
    #[error(
        "the standin's cluster has no role {}, which main's owners or privileges name; map it \
         to an existing role with --role-map MAIN_ROLE=STANDIN_ROLE, or let pgsyncer create it \
         (NOLOGIN, no password) with --create-roles",
        .0.iter().map(|r| crate::quote::inert(r)).collect::<Vec<_>>().join(", ")
    )]
    MissingRoles(Vec<String>),
    /// A column's type changes to one PostgreSQL has no conversion into, directly or
    /// through text: the column needs a conversion written by hand.
    #[error(
        "cannot change the type of {column} from {from} to {to}: PostgreSQL has no cast between them and their text forms do not convert; change the column on the standin by hand (ALTER TABLE … ALTER COLUMN … TYPE … USING an expression), then plan again"
    )]
    NoConversion {
        column: String,
        from: String,
        to: String,
    },
}

/// What the header comment says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanHeader {
    pub main_version: i32,
    pub standin_version: i32,
    /// Where main's model came from (`host:port/db` or a snapshot file).
    pub main_source: String,
    pub standin_source: String,
    /// `--schema` list or `all`.
    pub schemas: String,
    /// `--include` / `--exclude` as given; empty when every table is in scope.
    pub tables: String,
    /// UTC time, `YYYY-MM-DD HH:MM:SS UTC`.
    pub generated_at: String,
}

/// Options of [`build`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Drop objects that exist only in the standin (otherwise they are listed).
    pub clean_extra: bool,
    /// `--include` / `--exclude`: an excluded table is neither created, altered nor
    /// dropped (see `diff::scope`).
    pub tables: crate::data::TableFilter,
    /// `--owners`, `--privileges`, `--role-map`.
    pub access: crate::diff::AccessOptions,
    /// `--create-roles`: a role the plan needs and the standin's cluster lacks is created
    /// (`NOLOGIN`, no password) instead of failing the plan.
    pub create_roles: bool,
}

/// An ordered list of statements plus the objects left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub header: PlanHeader,
    pub statements: Vec<Statement>,
    /// Objects only in the standin, not dropped because `--clean-extra` is off (or, with
    /// it, because they are out of the `--include`/`--exclude` scope or an excluded table
    /// needs them).
    pub extra_objects: Vec<String>,
    /// Built with `--clean-extra`: what [`Plan::extra_objects`] lists was kept for scope.
    pub clean_extra: bool,
    /// Main's objects of kinds pgsyncer does not model: neither compared nor synced.
    pub not_synced: Vec<NotSynced>,
}

impl Plan {
    pub fn new(header: PlanHeader, statements: Vec<Statement>, extra_objects: Vec<String>) -> Plan {
        Plan {
            header,
            statements,
            extra_objects,
            clean_extra: false,
            not_synced: Vec::new(),
        }
    }

    /// No statement and nothing to report: the schemas match, as far as pgsyncer can tell
    /// (an unmodelled object main has and the standin lacks is a difference; one on both
    /// sides is not, though nobody compared them).
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
            && self.extra_objects.is_empty()
            && self.not_synced.iter().all(|n| n.on_standin)
    }

    /// The warning about [`Plan::not_synced`] that `plan` and `sync` log, if any.
    pub fn not_synced_warning(&self) -> Option<String> {
        unsynced::warning(&self.not_synced)
    }

    /// Statements that run, each committing on its own, before the transaction.
    pub fn before_transaction(&self) -> impl Iterator<Item = &Statement> {
        self.statements
            .iter()
            .filter(|s| s.before_transaction.is_some())
    }

    /// Statements that run inside the transaction, in order.
    pub fn transactional(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(|s| s.in_transaction())
    }

    /// Statements that run after `COMMIT`, each on its own.
    pub fn non_transactional(&self) -> impl Iterator<Item = &Statement> {
        self.statements
            .iter()
            .filter(|s| s.outside_transaction.is_some())
    }
}

/// The plan that turns `standin` into `main`.
pub fn build(
    main: &Schema,
    standin: &Schema,
    options: PlanOptions,
    header: PlanHeader,
) -> Result<Plan, PlanError> {
    let clean_extra = options.clean_extra;
    let defaults = crate::diff::default_privileges(main, standin, &options.access);
    let diff = crate::diff::diff(
        main,
        standin,
        crate::diff::DiffOptions {
            clean_extra: options.clean_extra,
            tables: options.tables,
            access: options.access,
        },
    );
    let extra_objects = diff.extras.iter().map(|id| id.to_string()).collect();
    let changes = diff.changes;
    no_conversion(&changes, main, standin)?;
    let roles = missing_roles(&changes, &defaults, standin);
    if !roles.is_empty() && !options.create_roles {
        return Err(PlanError::MissingRoles(roles));
    }
    let steps = sql::statements(&changes, main, standin);
    let mut statements: Vec<Statement> = roles
        .iter()
        .map(|r| {
            Statement::new(
                format!("role {}", crate::quote::inert(r)),
                Action::Create,
                format!("CREATE ROLE {} NOLOGIN", crate::quote::ident(r)),
            )
        })
        .collect();
    statements.extend(order::order(steps, main, standin)?);
    // Default privileges last: every schema they name exists by then.
    for d in &defaults {
        let object = match &d.schema {
            Some(s) => format!(
                "default privileges of role {} in schema {}",
                crate::quote::inert(&d.role),
                crate::quote::inert(s)
            ),
            None => format!(
                "default privileges of role {}",
                crate::quote::inert(&d.role)
            ),
        };
        for sql in crate::ddl::access::default_privilege_sql(d) {
            statements.push(Statement::new(object.clone(), Action::Alter, sql));
        }
    }
    hoist_used_enum_values(&changes, &mut statements);
    validate(&statements)?;
    let mut plan = Plan::new(header, statements, extra_objects);
    plan.not_synced = unsynced::not_synced(main, standin);
    plan.clean_extra = clean_extra;
    Ok(plan)
}

/// Roles that the owner and privilege changes name and the standin's cluster lacks, sorted.
/// A model without roles (a snapshot written before they were read) checks nothing.
fn missing_roles(
    changes: &[crate::diff::Change],
    defaults: &[crate::diff::DefaultPrivilegeChange],
    standin: &Schema,
) -> Vec<String> {
    use crate::diff::{ChangeKind, RoleSpec};
    if standin.roles.is_empty() {
        return Vec::new();
    }
    let mut named = std::collections::BTreeSet::new();
    for d in defaults {
        named.insert(d.role.as_str());
        named.extend(d.changes.iter().filter_map(|p| match &p.grantee {
            RoleSpec::Role(r) => Some(r.as_str()),
            _ => None,
        }));
    }
    for change in changes {
        match &change.kind {
            ChangeKind::Owner(role) => {
                named.insert(role.as_str());
            }
            ChangeKind::Privileges(list) => {
                named.extend(list.iter().filter_map(|p| match &p.grantee {
                    RoleSpec::Role(r) => Some(r.as_str()),
                    _ => None,
                }))
            }
            _ => {}
        }
    }
    named
        .into_iter()
        .filter(|r| !standin.roles.iter().any(|s| s == r))
        .map(str::to_string)
        .collect()
}

/// The first column whose type changes without a conversion PostgreSQL has
/// (`kinds::table::conversion`): the plan fails rather than print SQL that cannot run.
fn no_conversion(
    changes: &[crate::diff::Change],
    main: &Schema,
    standin: &Schema,
) -> Result<(), PlanError> {
    use crate::diff::ChangeKind;
    use crate::kinds::table::{column_of, conversion, Conversion};
    use crate::model::ObjectId;
    for change in changes {
        let (ObjectId::Column(c), ChangeKind::AlterColumnType) = (&change.id, &change.kind) else {
            continue;
        };
        if conversion(main, standin, c) != Conversion::None {
            continue;
        }
        let (Some(m), Some(s)) = (column_of(main, c), column_of(standin, c)) else {
            continue;
        };
        return Err(PlanError::NoConversion {
            column: crate::quote::inert(&change.id.to_string()),
            from: crate::quote::inert(&s.data_type),
            to: crate::quote::inert(&m.data_type),
        });
    }
    Ok(())
}

/// A value added to an enum cannot be used in the transaction that adds it ("unsafe use of
/// new value"): when a later statement uses one, the enum's `ADD VALUE`s run first, each
/// committing on its own.
fn hoist_used_enum_values(changes: &[crate::diff::Change], statements: &mut [Statement]) {
    use crate::diff::ChangeKind;
    use crate::model::ObjectId;
    for change in changes {
        let (ObjectId::Enum(q), ChangeKind::EnumAddValue { label, .. }) =
            (&change.id, &change.kind)
        else {
            continue;
        };
        let value = crate::quote::literal(label);
        let needles = [
            format!("{value}::{}", q.sql()),
            format!("{value}::{}", crate::quote::ident(&q.name)),
        ];
        let object = change.id.to_string();
        let is_add = |s: &Statement| s.object == object && s.sql.contains(" ADD VALUE ");
        let used = statements
            .iter()
            .any(|s| !is_add(s) && needles.iter().any(|n| s.sql.contains(n.as_str())));
        if used {
            for s in statements.iter_mut().filter(|s| is_add(s)) {
                s.before_transaction = Some(format!(
                    "the transaction below uses a value this adds to {q}, which PostgreSQL allows only once the value is committed"
                ));
            }
        }
    }
}

/// Parse every statement with `pg_query`: each must be exactly one valid statement.
pub fn validate(statements: &[Statement]) -> Result<(), PlanError> {
    for statement in statements {
        let invalid = |message: String| PlanError::InvalidSql {
            object: statement.object.clone(),
            sql: statement.sql.clone(),
            message,
        };
        let parsed = pg_query::parse(&statement.sql, pg_query::ParserOptions::DEFAULT)
            .map_err(|e| invalid(e.to_string()))?;
        let count = parsed.protobuf.stmts.len();
        if count != 1 {
            return Err(invalid(format!(
                "{count} statements where one was expected"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_column(data_type: &str) -> Schema {
        use crate::model::{Column, QualifiedName, ReplicaIdentity, Table};
        let name = QualifiedName::new("public", "events");
        let column = Column {
            name: "at".into(),
            data_type: data_type.into(),
            collation: None,
            not_null: false,
            not_null_name: None,
            default: None,
            identity: None,
            generated: None,
            is_local: true,
            storage: None,
            type_storage: None,
            compression: None,
            statistics: None,
            options: Vec::new(),
        };
        let mut schema = Schema::default();
        schema.tables.insert(
            name.clone(),
            Table {
                name,
                columns: [("at".to_string(), column)].into_iter().collect(),
                unlogged: false,
                options: Vec::new(),
                access_method: None,
                replica_identity: ReplicaIdentity::Default,
                rls_enabled: false,
                rls_forced: false,
                inherits: Vec::new(),
                partition_by: None,
                partition_of: None,
                owner: "o".into(),
            },
        );
        schema
    }

    #[test]
    fn a_type_change_without_a_conversion_fails_the_plan() {
        let main = one_column("timestamp without time zone");
        let standin = one_column("bigint");
        let err = build(
            &main,
            &standin,
            PlanOptions::default(),
            PlanHeader::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("public.events.at")
                && err.contains("from bigint to timestamp without time zone"),
            "{err}"
        );
        // Through text is what a cast PostgreSQL lacks comes to when the text forms match.
        let main = one_column("text");
        let plan = build(
            &main,
            &standin,
            PlanOptions::default(),
            PlanHeader::default(),
        )
        .unwrap();
        assert!(
            plan.statements[0].sql.ends_with("USING at::text"),
            "{:?}",
            plan.statements
        );
    }

    #[test]
    fn validate_rejects_bad_and_multiple_statements() {
        let good = Statement::new("table t", Action::Create, "CREATE TABLE t (a int)");
        assert!(validate(&[good]).is_ok());
        let bad = Statement::new("table t", Action::Create, "CREATE TABLE t (a int");
        let err = validate(&[bad]).unwrap_err().to_string();
        assert!(err.contains("table t") && err.contains("bug"), "{err}");
        let two = Statement::new("table t", Action::Drop, "DROP TABLE a; DROP TABLE b");
        assert!(validate(&[two]).is_err());
    }
}
