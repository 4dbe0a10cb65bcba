//! The Rampart platform server (`rampart serve`): organisations, business
//! units, projects and versioned models over a REST API, on SQLite or
//! PostgreSQL, with accounts, API tokens, single sign-on and roles.
//!
//! The analysis is the core's: a save runs rampart-engine on the model and
//! stores its threats; reports are rampart-report's. See ARCHITECTURE.md.

pub mod analysis;
pub mod api;
pub mod app;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod config;
pub mod cpu;
pub mod db;
pub mod error;
pub mod jobs;
pub mod oidc;
pub mod reports;
pub mod request_id;
pub mod sample;
pub mod sealed;
pub mod state;
pub mod store;
pub mod web;

pub use app::{Running, serve, start};
pub use config::ServerConfig;
