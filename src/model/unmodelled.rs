//! Objects of kinds pgsyncer does not model (operators, rules, foreign tables, …), read
//! only so that a plan can say they exist and were neither compared nor synced.

use serde::{Deserialize, Serialize};

/// One object pgsyncer does not model: its kind as people say it (`operator`, `rule`,
/// `foreign table`) and its name as SQL would (`public.===(integer,integer)`,
/// `no_delete ON public.t`). Names are whatever identifies the object within its kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unmodelled {
    pub kind: String,
    pub name: String,
}

impl Unmodelled {
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Unmodelled {
        Unmodelled {
            kind: kind.into(),
            name: name.into(),
        }
    }
}
