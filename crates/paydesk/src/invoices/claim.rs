//! Who is creating a draft at its provider right now. A create holds a lock named after
//! the draft for as long as its provider call and the write of its answer last: an OS
//! lock on a file in the data folder for a SQLite store, a PostgreSQL session lock for
//! a shared one (every counter's processes see it). The OS or the server lets go of it
//! when the process ends, however it ends (kill -9 too). So sync never sends a second
//! create for a draft whose first is still in flight — in this process (the window's
//! background sync beside its create form), another (`paydesk sync` beside the app) or,
//! on a shared store, another counter's — and picks a crashed one up at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use paydesk_core::InvoiceId;

use crate::{context::internal, error::Result, Engine};

/// The claim on one draft; released when dropped.
#[derive(Debug)]
pub(crate) enum CreateClaim {
    File {
        _file: File,
        path: PathBuf,
    },
    /// Held, not read: dropping it lets go.
    Shared {
        _held: paydesk_store::SharedClaim,
    },
}

impl CreateClaim {
    /// Takes the claim on a draft, or `None` while someone else holds it.
    fn try_take(data_dir: &Path, id: &InvoiceId) -> std::io::Result<Option<Self>> {
        let dir = data_dir.join("claims");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{id}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(CreateClaim::File { _file: file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// The invoice is no longer a draft, so nobody claims it again: its file goes (a
    /// late opener of the old file finds the invoice created and does nothing).
    pub(crate) fn done(self) {
        if let CreateClaim::File { path, .. } = &self {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Engine {
    /// The claim on creating this draft, or `None` while another create holds it.
    pub(crate) async fn claim_create(&self, id: &InvoiceId) -> Result<Option<CreateClaim>> {
        let store = &self.inner.store;
        if store.backend() == paydesk_store::Backend::Postgres {
            return Ok(store
                .try_claim(&format!("create:{id}"))
                .await?
                .map(|held| CreateClaim::Shared { _held: held }));
        }
        CreateClaim::try_take(&self.inner.data_dir, id).map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_free_again_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let id = InvoiceId::generate();
        let first = CreateClaim::try_take(dir.path(), &id).unwrap().unwrap();
        assert!(CreateClaim::try_take(dir.path(), &id).unwrap().is_none());
        let other = InvoiceId::generate();
        assert!(CreateClaim::try_take(dir.path(), &other).unwrap().is_some());
        drop(first);
        let again = CreateClaim::try_take(dir.path(), &id).unwrap().unwrap();
        again.done();
        assert!(!dir
            .path()
            .join("claims")
            .join(format!("{id}.lock"))
            .exists());
    }
}
