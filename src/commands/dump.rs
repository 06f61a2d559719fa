//! `pgsyncer dump`.

use super::ExitStatus;
use crate::cli::DumpArgs;
use crate::Error;

pub async fn run(_args: DumpArgs) -> Result<ExitStatus, Error> {
    Err(Error::NotImplemented("pgsyncer dump"))
}
