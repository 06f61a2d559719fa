//! `pgsyncer demo`.

use super::ExitStatus;
use crate::cli::DemoArgs;
use crate::Error;

pub async fn run(_args: DemoArgs) -> Result<ExitStatus, Error> {
    Err(Error::NotImplemented("pgsyncer demo"))
}
