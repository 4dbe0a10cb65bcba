//! Queries that more than one endpoint (or a job) needs.

pub mod details;
pub mod documents;
pub mod previous;
pub mod statistics;
pub mod versions;
