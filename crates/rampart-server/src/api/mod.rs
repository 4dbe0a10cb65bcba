//! The REST API under `/api/v1`, with its OpenAPI document.

pub mod admin;
pub mod auth;
pub mod common;
pub mod editor;
pub mod hierarchy;
pub mod meta;
pub mod models;
pub mod registry;
pub mod saves;
pub mod threats;
pub mod users;

use std::sync::OnceLock;

use axum::Router;
use serde_json::Value;

pub use registry::{Endpoint, Method};

use crate::state::AppState;

/// Every endpoint, registered in one place.
fn api() -> registry::Api {
    let mut api = registry::Api::new();
    meta::register(&mut api);
    auth::register(&mut api);
    users::register(&mut api);
    hierarchy::register(&mut api);
    models::register(&mut api);
    threats::register(&mut api);
    admin::register(&mut api);
    editor::register(&mut api);
    api
}

/// The router of every endpoint.
pub fn router() -> Router<AppState> {
    api().finish().0
}

/// The endpoint table, for tests and documentation.
pub fn endpoints() -> Vec<Endpoint> {
    api().finish().1
}

/// The OpenAPI 3.1 document (built once).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| api().finish().2)
}
