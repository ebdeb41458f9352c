//! See tests/app.rs.
