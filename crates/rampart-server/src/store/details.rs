//! Where a threat's detail is kept: once per model and content, in
//! `threat_details`, keyed by the fingerprint every threat row carries (a
//! digest of the detail, [`crate::analysis`]).
//!
//! A row only names its detail. Closing a row (an UPDATE, which writes the
//! row again) then no longer copies the detail, and a row kept from an
//! earlier analysis needs none sent: a row with its fingerprint was stored
//! with it. A detail is never changed once written, as its key is its
//! content; it goes with its model.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::Backend;

/// The detail of the `threats t` row in a select list, as `detail`: NULL
/// for a row whose detail is missing (none should be).
pub const OF_ROW: &str = "(SELECT d.detail FROM threat_details d \
    WHERE d.model_id = t.model_id AND d.fingerprint = t.fingerprint) AS detail";

/// The document acceptance's review date (`threat.tracking.expires`) in
/// the detail of the `threats t` row, as text: NULL when it has none.
pub fn acceptance_expiry_of_row(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "(SELECT json_extract(d.detail, '$.threat.tracking.expires') FROM threat_details d \
             WHERE d.model_id = t.model_id AND d.fingerprint = t.fingerprint)"
        }
        Backend::Postgres => {
            "(SELECT d.detail::jsonb #>> '{threat,tracking,expires}' FROM threat_details d \
             WHERE d.model_id = t.model_id AND d.fingerprint = t.fingerprint)"
        }
    }
}

/// The detail selected by [`OF_ROW`] as JSON: null when it is missing or
/// not JSON, which the readers treat as a threat they know nothing more of.
pub fn read(row: &AnyRow) -> Result<Value, sqlx::Error> {
    let text: Option<String> = row.try_get("detail")?;
    Ok(text.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(Value::Null))
}

/// Keeps `detail` as the detail of `fingerprint` in the model, unless one is
/// kept already (the same fingerprint is the same detail).
pub async fn keep(
    connection: &mut sqlx::AnyConnection,
    model_id: &str,
    fingerprint: &str,
    detail: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO threat_details (model_id, fingerprint, detail) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(model_id)
    .bind(fingerprint)
    .bind(detail)
    .execute(connection)
    .await?;
    Ok(())
}

/// Where a statement reads a JSON array of threat rows from `rows` (a
/// parameter such as `$4`), each row `r` an array of its columns: the form
/// [`crate::store::versions`] sends them in.
pub fn unpacked(backend: Backend, rows: &str) -> String {
    match backend {
        Backend::Postgres => format!("jsonb_array_elements({rows}::jsonb) AS r"),
        // `json_each` names its rows `value`, in `key` order.
        Backend::Sqlite => format!("(SELECT value AS r FROM json_each({rows}) ORDER BY key)"),
    }
}

/// Column of an unpacked row holding its fingerprint, and its detail (null
/// when the row is sent without one).
pub const FINGERPRINT_COLUMN: usize = 10;
pub const DETAIL_COLUMN: usize = 11;

/// The INSERT of the details sent with the rows of `source` (a FROM item
/// of rows `r`, such as [`unpacked`] gives) for the model in parameter
/// `model`; one already kept is left as it is (the same fingerprint is the
/// same detail). `only_if`, when given, is a condition every row must also
/// meet (that the save's head bump happened).
pub fn insert_sql(model: &str, source: &str, only_if: Option<&str>) -> String {
    let also = only_if.map(|condition| format!(" AND {condition}")).unwrap_or_default();
    format!(
        "INSERT INTO threat_details (model_id, fingerprint, detail) \
         SELECT {model}, r ->> {FINGERPRINT_COLUMN}, r ->> {DETAIL_COLUMN} FROM {source} \
         WHERE r ->> {DETAIL_COLUMN} IS NOT NULL{also} ON CONFLICT DO NOTHING"
    )
}

/// The threat ids, space-separated, of the rows of `source` (see
/// [`insert_sql`]) sent without a detail whose fingerprint has none kept for
/// the model in parameter `model`: those the save must describe itself.
pub fn missing_sql(model: &str, source: &str) -> String {
    format!(
        "SELECT string_agg(r ->> 0, ' ') FROM {source} WHERE r ->> {DETAIL_COLUMN} IS NULL AND NOT EXISTS \
         (SELECT 1 FROM threat_details d WHERE d.model_id = {model} AND d.fingerprint = r ->> {FINGERPRINT_COLUMN})"
    )
}
