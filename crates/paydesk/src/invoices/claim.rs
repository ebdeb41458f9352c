//! Who is creating a draft at its provider right now. A create holds the store's claim
//! named after the draft for as long as its provider call and the write of its answer
//! last (`paydesk_store::Claim`: a file lock for a SQLite store, a session lock every
//! counter of a shared one sees), let go when the process ends however it ends. So sync
//! never sends a second create for a draft whose first is still in flight — in this
//! process (the window's background sync beside its create form), another (`paydesk
//! sync` beside the app) or another counter's — and picks a crashed one up at once.

use paydesk_core::InvoiceId;

use crate::{error::Result, Engine};

/// The claim on one draft; `release` once it is no longer a draft.
pub(crate) type CreateClaim = paydesk_store::Claim;

impl Engine {
    /// The claim on creating this draft, or `None` while another create holds it.
    pub(crate) async fn claim_create(&self, id: &InvoiceId) -> Result<Option<CreateClaim>> {
        Ok(self.inner.store.try_claim(id.as_str()).await?)
    }
}
