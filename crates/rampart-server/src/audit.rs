//! The audit log: every change, with who, what, when and from where. It is
//! written in the same transaction as the change, so neither exists without
//! the other.

use serde_json::Value;

use crate::auth::Caller;
use crate::db::{Tx, new_id, now_ms};

pub async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    target_kind: &str,
    target_id: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    record_as(
        tx,
        Some(&caller.org_id),
        Some(&caller.user_id),
        &caller.label,
        &caller.remote_addr,
        action,
        target_kind,
        target_id,
        detail,
    )
    .await
}

/// For changes made by the server itself (jobs) or before anyone is signed in (a login).
#[allow(clippy::too_many_arguments)]
pub async fn record_as(
    tx: &mut Tx,
    org_id: Option<&str>,
    actor_id: Option<&str>,
    actor: &str,
    remote_addr: &str,
    action: &str,
    target_kind: &str,
    target_id: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, org_id, at, actor_id, actor, action, target_kind, target_id, detail, remote_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(org_id)
    .bind(now_ms())
    .bind(actor_id)
    .bind(actor)
    .bind(action)
    .bind(target_kind)
    .bind(target_id)
    .bind(detail.to_string())
    .bind(remote_addr)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
