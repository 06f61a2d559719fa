//! The schema phase of `sync`: read both catalogs, plan, apply on the standin in one
//! transaction. `commands::sync` calls [`sync_schema`]; `commands::plan` and the tests use
//! [`plan_between`].

use crate::catalog::{introspect, SchemaFilter};
use crate::conn::Endpoint;
use crate::model::Schema;
use crate::plan::{Plan, PlanHeader, PlanOptions};
use crate::Error;

/// Options of [`sync_schema`] and [`plan_between`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSyncOptions {
    pub filter: SchemaFilter,
    /// Drop objects that exist only in the standin.
    pub clean_extra: bool,
    /// `--include` / `--exclude`: tables out of scope are left as they are.
    pub tables: crate::data::TableFilter,
    /// Plan but apply nothing.
    pub dry_run: bool,
    /// `--owners`, `--privileges`, `--role-map`.
    pub access: crate::diff::AccessOptions,
    /// `--create-roles`.
    pub create_roles: bool,
}

/// What the schema phase did.
#[derive(Debug, Clone)]
pub struct SchemaSyncReport {
    /// The plan (applied unless `dry_run`).
    pub plan: Plan,
    /// Statements run on the standin (0 with `dry_run`).
    pub applied: usize,
}

impl SchemaSyncReport {
    /// Statements in the plan.
    pub fn planned(&self) -> usize {
        self.plan.statements.len()
    }
}

/// `--schema` list as the header shows it.
pub fn filter_text(filter: &SchemaFilter) -> String {
    match filter {
        SchemaFilter::All => "all non-system schemas".to_string(),
        SchemaFilter::Only(list) => list.join(", "),
    }
}

/// Now, as the header shows it.
pub fn now_text() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    now.format(&format).unwrap_or_default()
}

/// Both models, read concurrently.
pub async fn read_both(
    main: &Endpoint,
    standin: &Endpoint,
    filter: &SchemaFilter,
) -> Result<(Schema, Schema), Error> {
    let read = |endpoint: &Endpoint| {
        let endpoint = endpoint.clone();
        let filter = filter.clone();
        async move {
            let session = endpoint.connect().await?;
            Ok::<Schema, Error>(introspect(&session, &filter).await?)
        }
    };
    let (m, s) = tokio::join!(read(main), read(standin));
    Ok((m?, s?))
}

/// The plan that makes `standin` match `main`.
pub async fn plan_between(
    main: &Endpoint,
    standin: &Endpoint,
    options: &SchemaSyncOptions,
) -> Result<Plan, Error> {
    let (m, s) = read_both(main, standin, &options.filter).await?;
    let header = PlanHeader {
        main_version: m.server_version_num,
        standin_version: s.server_version_num,
        main_source: main.target().to_string(),
        standin_source: standin.target().to_string(),
        schemas: filter_text(&options.filter),
        tables: options.tables.describe(),
        generated_at: now_text(),
    };
    Ok(crate::plan::build(
        &m,
        &s,
        PlanOptions {
            clean_extra: options.clean_extra,
            tables: options.tables.clone(),
            access: options.access.clone(),
            create_roles: options.create_roles,
        },
        header,
    )?)
}

/// Make the standin's schema match main's: plan, then apply in one transaction (on any
/// error nothing changes and the error names the statement and the server's message).
pub async fn sync_schema(
    main: &Endpoint,
    standin: &Endpoint,
    options: &SchemaSyncOptions,
) -> Result<SchemaSyncReport, Error> {
    let plan = plan_between(main, standin, options).await?;
    if options.dry_run || plan.statements.is_empty() {
        return Ok(SchemaSyncReport { plan, applied: 0 });
    }
    let session = standin.connect().await?;
    let report = crate::apply::apply(&session, &plan).await?;
    Ok(SchemaSyncReport {
        plan,
        applied: report.statements,
    })
}
