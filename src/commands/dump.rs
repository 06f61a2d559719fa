//! `pgsyncer dump`: the selected schemas as DDL, loadable into an empty database with
//! `psql -v ON_ERROR_STOP=1`.

use super::ExitStatus;
use crate::catalog::{introspect, SchemaFilter};
use crate::cli::DumpArgs;
use crate::conn::{Endpoint, Side};
use crate::Error;

pub async fn run(args: DumpArgs) -> Result<ExitStatus, Error> {
    let endpoint = Endpoint::parse(Side::Source, &args.dsn, args.connect.connect_timeout)?;
    let session = endpoint.connect().await?;
    let schema = introspect(&session, &SchemaFilter::from_args(&args.schema)).await?;
    if let Some(warning) = crate::ddl::not_dumped_warning(&schema) {
        tracing::warn!("{warning}");
    }
    let access = args.access.options().map_err(Error::Usage)?;
    let text = crate::ddl::dump_with(&schema, &access)?;
    super::write_output(args.out.as_deref(), &text)?;
    Ok(0)
}
