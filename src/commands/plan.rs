//! `pgsyncer plan`: the SQL that makes the standin's schema match main's, applied nowhere.
//! Either side may be a snapshot file instead of a server.

use super::ExitStatus;
use crate::catalog::{introspect, load_snapshot, SchemaFilter};
use crate::cli::PlanArgs;
use crate::conn::{Endpoint, Side};
use crate::model::Schema;
use crate::plan::{render_json, render_sql, PlanHeader, PlanOptions};
use crate::schema_sync::{filter_text, now_text};
use crate::Error;

/// Exit status of `plan --check` when the schemas differ.
pub const DRIFT: ExitStatus = 3;

/// One side's model and where it came from.
async fn read_side(
    side: Side,
    dsn: Option<&str>,
    snapshot: Option<&std::path::PathBuf>,
    filter: &SchemaFilter,
    args: &PlanArgs,
) -> Result<(Schema, String), Error> {
    if let Some(path) = snapshot {
        return Ok((load_snapshot(path)?, path.display().to_string()));
    }
    let Some(dsn) = dsn else {
        return Err(Error::Usage(format!(
            "{side}: give a DSN or a snapshot file"
        )));
    };
    let endpoint = Endpoint::parse(side, dsn, args.connect.connect_timeout)?;
    let session = endpoint.connect().await?;
    Ok((
        introspect(&session, filter).await?,
        endpoint.target().to_string(),
    ))
}

pub async fn run(args: PlanArgs) -> Result<ExitStatus, Error> {
    let filter = SchemaFilter::from_args(&args.schema);
    let (main, standin) = tokio::join!(
        read_side(
            Side::Main,
            args.maindsn.as_deref(),
            args.main_snapshot.as_ref(),
            &filter,
            &args
        ),
        read_side(
            Side::Standin,
            args.standindsn.as_deref(),
            args.standin_snapshot.as_ref(),
            &filter,
            &args
        ),
    );
    let ((main, main_source), (standin, standin_source)) = (main?, standin?);
    let tables = crate::data::TableFilter::new(&args.include, &args.exclude);
    let header = PlanHeader {
        main_version: main.server_version_num,
        standin_version: standin.server_version_num,
        main_source,
        standin_source,
        schemas: filter_text(&filter),
        tables: tables.describe(),
        generated_at: now_text(),
    };
    let plan = crate::plan::build(
        &main,
        &standin,
        PlanOptions {
            clean_extra: args.clean_extra,
            tables,
            access: args.access.options().map_err(Error::Usage)?,
            create_roles: args.create_roles,
        },
        header,
    )?;
    if let Some(warning) = plan.not_synced_warning() {
        tracing::warn!("{warning}");
    }
    let text = if args.json {
        let mut t = serde_json::to_string_pretty(&render_json(&plan)).unwrap_or_default();
        t.push('\n');
        t
    } else {
        render_sql(&plan)
    };
    super::write_output(args.out.as_deref(), &text)?;
    Ok(if args.check && !plan.is_empty() {
        DRIFT
    } else {
        0
    })
}
