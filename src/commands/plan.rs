//! `pgsyncer plan`.

use super::ExitStatus;
use crate::cli::PlanArgs;
use crate::Error;

pub async fn run(_args: PlanArgs) -> Result<ExitStatus, Error> {
    Err(Error::NotImplemented("pgsyncer plan"))
}
