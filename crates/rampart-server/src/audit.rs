//! The audit log: every change, with who, what, when and from where. It is
//! written in the same transaction as the change, so neither exists without
//! the other.

use serde_json::Value;

use crate::auth::Caller;
use crate::db::{Tx, new_id, now_ms};

/// One record of the audit log, before it is written.
pub struct Entry<'a> {
    pub org_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    pub actor: &'a str,
    pub remote_addr: &'a str,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub detail: Value,
}

impl<'a> Entry<'a> {
    /// A change made by a signed-in caller.
    pub fn by(caller: &'a Caller, action: &'a str, target_kind: &'a str, target_id: &'a str, detail: Value) -> Self {
        Entry {
            org_id: Some(&caller.org_id),
            actor_id: Some(&caller.user_id),
            actor: &caller.label,
            remote_addr: &caller.remote_addr,
            action,
            target_kind,
            target_id,
            detail,
        }
    }

    /// Binds the record's values, in [`COLUMNS`]' order, stamped `at`.
    pub fn bind<'q>(&'q self, query: AnyQuery<'q>, at: i64) -> AnyQuery<'q> {
        query
            .bind(new_id())
            .bind(self.org_id)
            .bind(at)
            .bind(self.actor_id)
            .bind(self.actor)
            .bind(self.action)
            .bind(self.target_kind)
            .bind(self.target_id)
            .bind(self.detail.to_string())
            .bind(self.remote_addr)
    }

    /// Writes the record in `tx`.
    pub async fn write(&self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        let sql = format!("INSERT INTO {COLUMNS} VALUES ({})", parameters(1).join(", "));
        self.bind(sqlx::query(&sql), now_ms()).execute(&mut **tx).await?;
        Ok(())
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The table and columns [`Entry::bind`] binds values for.
pub const COLUMNS: &str =
    "audit_log (id, org_id, at, actor_id, actor, action, target_kind, target_id, detail, remote_addr)";

/// The placeholders of [`COLUMNS`], numbered from `$first`.
pub fn parameters(first: usize) -> Vec<String> {
    (first..first + 10).map(|n| format!("${n}")).collect()
}

pub async fn record(
    tx: &mut Tx,
    caller: &Caller,
    action: &str,
    target_kind: &str,
    target_id: &str,
    detail: Value,
) -> Result<(), sqlx::Error> {
    Entry::by(caller, action, target_kind, target_id, detail).write(tx).await
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
    Entry { org_id, actor_id, actor, remote_addr, action, target_kind, target_id, detail }.write(tx).await
}
