//! One module per command group; each turns its arguments into the engine's input
//! types, calls the engine, and hands the answer to `output`.

pub(crate) mod account;
pub(crate) mod channel;
pub(crate) mod customer;
pub(crate) mod cvs;
pub(crate) mod link;
pub(crate) mod serve;
pub(crate) mod settings;
pub(crate) mod store;
pub(crate) mod sync;
