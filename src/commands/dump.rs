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
    let text = crate::ddl::dump(&schema)?;
    match &args.out {
        Some(path) => std::fs::write(path, text).map_err(|source| Error::Io {
            what: format!("cannot write {}", path.display()),
            source,
        })?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|source| Error::Io {
                    what: "cannot write to stdout".to_string(),
                    source,
                })?;
        }
    }
    Ok(0)
}
