//! `pgsyncer snapshot`: save a database's schema model as JSON, for `plan` to read later
//! (see [`crate::catalog::load_snapshot`]).

use super::ExitStatus;
use crate::catalog::{introspect, save_snapshot, SchemaFilter};
use crate::cli::SnapshotArgs;
use crate::conn::{Endpoint, Side};
use crate::Error;

pub async fn run(args: SnapshotArgs) -> Result<ExitStatus, Error> {
    let endpoint = Endpoint::parse(Side::Source, &args.dsn, args.connect.connect_timeout)?;
    let session = endpoint.connect().await?;
    let schema = introspect(&session, &SchemaFilter::from_args(&args.schema)).await?;
    save_snapshot(&schema, &args.out)?;
    Ok(0)
}
