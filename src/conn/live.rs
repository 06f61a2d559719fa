//! The connections this process has open, for [`crate::interrupt`]: on Ctrl-C or SIGTERM it
//! cancels what runs on each, waits for them to close (the server rolls back what they left
//! open) and then removes what `--fdw-mode` set up, from a fresh session.
//!
//! A connection is registered by [`Endpoint::connect`](super::Endpoint::connect) and leaves
//! the register when its connection task ends, so the register holds exactly the
//! connections whose server backend may still work for us.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use tokio_postgres::CancelToken;

use super::{Endpoint, Side};

/// One open connection.
#[derive(Clone)]
pub struct Connection {
    pub side: Side,
    /// The server backend's process id (`pg_backend_pid()`).
    pub pid: i32,
    cancel: CancelToken,
    endpoint: Endpoint,
}

impl Connection {
    /// Ask the server to cancel what this connection runs now (a no-op when it is idle).
    /// Bounded by `limit`; failures are ignored: the connection is being closed anyway.
    pub async fn cancel(&self, limit: std::time::Duration) {
        let request = self
            .cancel
            .cancel_query(self.endpoint.tls.connector.clone());
        let _ = tokio::time::timeout(limit, request).await;
    }
}

struct Register {
    next: u64,
    open: BTreeMap<u64, Connection>,
    /// Standin endpoints where `--fdw-mode` objects of this process exist, by the id of the
    /// session that created them.
    fdw: BTreeMap<u64, Endpoint>,
}

static REGISTER: Mutex<Register> = Mutex::new(Register {
    next: 0,
    open: BTreeMap::new(),
    fdw: BTreeMap::new(),
});

fn register() -> MutexGuard<'static, Register> {
    // A panic while holding the lock leaves plain data behind: keep using it.
    REGISTER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Held by a connection's task; dropping it (the task ended) removes the connection.
pub struct Registration(u64);

impl Registration {
    pub fn id(&self) -> u64 {
        self.0
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        register().open.remove(&self.0);
    }
}

/// Register a connection just opened from `endpoint`.
pub(super) fn add(endpoint: &Endpoint, pid: i32, cancel: CancelToken) -> Registration {
    let mut r = register();
    let id = r.next;
    r.next += 1;
    r.open.insert(
        id,
        Connection {
            side: endpoint.side(),
            pid,
            cancel,
            endpoint: endpoint.clone(),
        },
    );
    Registration(id)
}

/// The connections open now.
pub fn open() -> Vec<Connection> {
    register().open.values().cloned().collect()
}

/// Note that the session `id` is about to create `--fdw-mode` objects on its server.
pub fn fdw_created(id: u64) {
    let mut r = register();
    if let Some(endpoint) = r.open.get(&id).map(|c| c.endpoint.clone()) {
        r.fdw.insert(id, endpoint);
    }
}

/// The `--fdw-mode` objects of session `id` are gone (or kept on purpose).
pub fn fdw_removed(id: u64) {
    register().fdw.remove(&id);
}

/// Take the standin endpoints where `--fdw-mode` objects of this process may remain.
pub fn take_fdw() -> Vec<Endpoint> {
    std::mem::take(&mut register().fdw).into_values().collect()
}
