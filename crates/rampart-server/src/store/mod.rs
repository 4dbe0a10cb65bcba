//! Queries that more than one endpoint (or a job) needs.

pub mod documents;
pub mod versions;
