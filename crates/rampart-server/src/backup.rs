//! `rampart admin backup` and `restore`: a consistent snapshot of the whole
//! database as JSON Lines, read in one transaction (a repeatable-read
//! snapshot on PostgreSQL, a read transaction on SQLite's WAL), and restored
//! into an empty database of either kind — so a backup also moves a team
//! from the embedded SQLite to PostgreSQL.
//!
//! The file: a header line `{"format": "rampart-backup", ...}`, then one
//! line per row `{"table": "...", "row": {...}}`, then a trailer line with
//! the row counts, which restore checks so a truncated file is refused.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Backend, Db};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Real,
    Text,
    /// Binary (a compressed document), as base64 text in the file.
    Bytes,
}

use Kind::{Bytes, Int, Real, Text};

/// Every table worth keeping, parents before children, with its columns.
/// Sessions and sign-ins in progress are left out: they are not worth a
/// restore, and a restored server should not accept old cookies.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    ("organisations", &[("id", Text), ("name", Text), ("created_at", Int)]),
    (
        "users",
        &[
            ("id", Text),
            ("org_id", Text),
            ("username", Text),
            ("display_name", Text),
            ("email", Text),
            ("password_hash", Text),
            ("is_org_admin", Int),
            ("oidc_issuer", Text),
            ("oidc_subject", Text),
            ("failed_logins", Int),
            ("locked_until", Int),
            ("disabled", Int),
            ("created_at", Int),
        ],
    ),
    ("business_units", &[("id", Text), ("org_id", Text), ("name", Text), ("description", Text), ("created_at", Int)]),
    (
        "projects",
        &[
            ("id", Text),
            ("org_id", Text),
            ("business_unit_id", Text),
            ("name", Text),
            ("description", Text),
            ("created_at", Int),
        ],
    ),
    (
        "role_grants",
        &[("user_id", Text), ("scope_kind", Text), ("scope_id", Text), ("role", Text), ("granted_at", Int)],
    ),
    (
        "api_tokens",
        &[
            ("id", Text),
            ("org_id", Text),
            ("token_hash", Text),
            ("name", Text),
            ("user_id", Text),
            ("project_id", Text),
            ("role", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("last_used_at", Int),
            ("revoked_at", Int),
        ],
    ),
    (
        "models",
        &[
            ("id", Text),
            ("org_id", Text),
            ("project_id", Text),
            ("name", Text),
            ("head_version", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    (
        "model_versions",
        &[
            ("model_id", Text),
            ("version", Int),
            ("author_id", Text),
            ("created_at", Int),
            ("message", Text),
            ("source_format", Text),
            ("document", Text),
            ("document_zstd", Bytes),
            ("document_base", Int),
            ("components", Int),
            ("flows", Int),
            ("threats_total", Int),
            ("unresolved", Int),
            ("critical", Int),
            ("high", Int),
            ("medium", Int),
            ("low", Int),
            ("risk_score", Real),
        ],
    ),
    ("threat_details", &[("model_id", Text), ("fingerprint", Text), ("detail", Text)]),
    (
        "threats",
        &[
            ("model_id", Text),
            ("threat_id", Text),
            ("since_version", Int),
            ("until_version", Int),
            ("rule", Text),
            ("title", Text),
            ("target", Text),
            ("target_kind", Text),
            ("severity", Text),
            ("severity_rank", Int),
            ("score", Real),
            ("stride", Text),
            ("analysis_status", Text),
            ("fingerprint", Text),
        ],
    ),
    (
        "threat_states",
        &[
            ("model_id", Text),
            ("threat_id", Text),
            ("status", Text),
            ("justification", Text),
            ("owner", Text),
            ("due_date", Text),
            ("expires", Text),
            ("ticket", Text),
            ("proposed_status", Text),
            ("proposed_justification", Text),
            ("proposed_by", Text),
            ("revision", Int),
            ("updated_by", Text),
            ("updated_at", Int),
        ],
    ),
    (
        "threat_comments",
        &[
            ("id", Text),
            ("model_id", Text),
            ("threat_id", Text),
            ("author_id", Text),
            ("body", Text),
            ("created_at", Int),
        ],
    ),
    (
        "countermeasure_states",
        &[
            ("model_id", Text),
            ("countermeasure_id", Text),
            ("status", Text),
            ("note", Text),
            ("revision", Int),
            ("updated_by", Text),
            ("updated_at", Int),
        ],
    ),
    (
        "audit_log",
        &[
            ("id", Text),
            ("org_id", Text),
            ("at", Int),
            ("actor_id", Text),
            ("actor", Text),
            ("action", Text),
            ("target_kind", Text),
            ("target_id", Text),
            ("detail", Text),
            ("remote_addr", Text),
        ],
    ),
    (
        "jobs",
        &[
            ("id", Text),
            ("org_id", Text),
            ("kind", Text),
            ("status", Text),
            ("created_by", Text),
            ("created_at", Int),
            ("started_at", Int),
            ("finished_at", Int),
            ("worker", Text),
            ("heartbeat_at", Int),
            ("progress_done", Int),
            ("progress_total", Int),
            ("result", Text),
            ("error", Text),
        ],
    ),
    (
        "secrets",
        &[
            ("id", Text),
            ("org_id", Text),
            ("project_id", Text),
            ("name", Text),
            ("sealed", Text),
            ("created_by", Text),
            ("created_at", Int),
        ],
    ),
];

/// Tables of the schema that a backup leaves out on purpose.
pub const NOT_BACKED_UP: [&str; 2] = ["sessions", "oidc_logins"];

/// The names of the tables a backup holds, for the test that keeps this list complete.
pub fn backed_up_tables() -> Vec<(&'static str, Vec<&'static str>)> {
    TABLES.iter().map(|(table, columns)| (*table, columns.iter().map(|(name, _)| *name).collect())).collect()
}

pub const FORMAT: &str = "rampart-backup";
const FORMAT_VERSION: u32 = 1;

fn value(row: &AnyRow, column: &str, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Int => row.try_get::<Option<i64>, _>(column)?.map_or(Value::Null, Value::from),
        Real => row.try_get::<Option<f64>, _>(column)?.map_or(Value::Null, Value::from),
        Text => row.try_get::<Option<String>, _>(column)?.map_or(Value::Null, Value::from),
        Bytes => {
            row.try_get::<Option<Vec<u8>>, _>(column)?.map_or(Value::Null, |bytes| Value::from(BASE64.encode(bytes)))
        }
    })
}

async fn schema_version(connection: &mut sqlx::AnyConnection) -> Result<i64, sqlx::Error> {
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
        .fetch_one(&mut *connection)
        .await?;
    Ok(version.unwrap_or(0))
}

/// Writes the snapshot; returns the row counts by table.
pub async fn backup(db: &Db, out: &mut dyn Write) -> Result<BTreeMap<String, u64>, String> {
    let start = match db.backend {
        Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        Backend::Sqlite => "BEGIN",
    };
    let mut tx = db.pool.begin_with(start).await.map_err(|e| format!("cannot start the snapshot: {e}"))?;
    let schema = schema_version(&mut tx).await.map_err(|e| format!("cannot read the schema version: {e}"))?;
    let io = |e: std::io::Error| format!("cannot write the backup: {e}");
    let header = json!({"format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": schema,
                        "rampart": env!("CARGO_PKG_VERSION"), "created_at": crate::db::timestamp(crate::db::now_ms())});
    writeln!(out, "{header}").map_err(io)?;
    let mut counts = BTreeMap::new();
    for (table, columns) in TABLES {
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let sql = format!("SELECT {} FROM {table}", names.join(", "));
        // Row by row: the threats table of a large organisation is more
        // than the server should hold in memory at once.
        let mut rows = sqlx::query(&sql).fetch(&mut *tx);
        let mut count = 0u64;
        while let Some(row) = rows.try_next().await.map_err(|e| format!("cannot read {table}: {e}"))? {
            let mut object = Map::new();
            for (name, kind) in columns.iter() {
                object
                    .insert((*name).to_string(), value(&row, name, *kind).map_err(|e| format!("{table}.{name}: {e}"))?);
            }
            writeln!(out, "{}", json!({"table": table, "row": object})).map_err(io)?;
            count += 1;
        }
        drop(rows);
        counts.insert((*table).to_string(), count);
    }
    writeln!(out, "{}", json!({"end": true, "counts": counts})).map_err(io)?;
    tx.commit().await.map_err(|e| format!("cannot end the snapshot: {e}"))?;
    Ok(counts)
}

/// Keeps the `detail` of a threat row from a backup made before
/// `threat_details`, under the row's model and fingerprint (the first one
/// met wins, as the same fingerprint is the same detail). A row stored
/// without one (`""`) has none to keep.
async fn restore_legacy_detail(tx: &mut crate::db::Tx, row: &Map<String, Value>, detail: Value) -> Result<(), String> {
    let text = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_string);
    let Value::String(detail) = detail else {
        return Err("`threats.detail` has the wrong type".to_string());
    };
    let (Some(model_id), Some(fingerprint)) = (text("model_id"), text("fingerprint")) else {
        return Err("the row has no model_id or fingerprint".to_string());
    };
    if detail.is_empty() {
        return Ok(());
    }
    crate::store::details::keep(tx, &model_id, &fingerprint, &detail).await.map_err(|e| e.to_string())
}

/// Restores a snapshot into an empty, migrated database, in one transaction:
/// either every row is in, or nothing is.
pub async fn restore(db: &Db, input: &mut dyn BufRead) -> Result<BTreeMap<String, u64>, String> {
    let mut lines = input.lines().enumerate();
    let (_, header) = lines.next().ok_or("the backup is empty")?;
    let header: Value = serde_json::from_str(&header.map_err(|e| format!("line 1: {e}"))?)
        .map_err(|e| format!("line 1: not a Rampart backup ({e})"))?;
    if header["format"] != FORMAT {
        return Err("line 1: not a Rampart backup (no `\"format\": \"rampart-backup\"`)".to_string());
    }
    if header["format_version"].as_u64() != Some(u64::from(FORMAT_VERSION)) {
        return Err(format!(
            "line 1: backup format version {} is not one this build reads ({FORMAT_VERSION})",
            header["format_version"]
        ));
    }
    let mut tx = db.write().await.map_err(|e| format!("cannot start the restore: {e}"))?;
    let ours = schema_version(&mut tx).await.map_err(|e| e.to_string())?;
    let theirs = header["schema_version"].as_i64().unwrap_or(0);
    if theirs > ours {
        return Err(format!(
            "the backup's schema ({theirs}) is newer than this server's ({ours}); restore it with a newer Rampart"
        ));
    }
    for (table, _) in TABLES {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        if rows > 0 {
            return Err(format!("the database is not empty ({table} has {rows} rows); restore into a new database"));
        }
    }
    let columns_of: BTreeMap<&str, &[(&str, Kind)]> = TABLES.iter().map(|(t, c)| (*t, *c)).collect();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut trailer = None;
    for (index, line) in lines {
        let number = index + 1;
        let line = line.map_err(|e| format!("line {number}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut entry: Value = serde_json::from_str(&line).map_err(|e| format!("line {number}: not JSON ({e})"))?;
        if entry["end"] == true {
            trailer = Some(entry);
            break;
        }
        let row = entry["row"].take();
        let table = entry["table"].as_str().ok_or_else(|| format!("line {number}: no `table`"))?;
        let columns = columns_of.get(table).ok_or_else(|| format!("line {number}: unknown table `{table}`"))?;
        let Value::Object(mut row) = row else {
            return Err(format!("line {number}: no `row` object"));
        };
        // Backups of schemas before `threat_details` carry each threat row's
        // detail in the row: it is kept as that table now keeps it.
        let legacy_detail = match table {
            "threats" => row.remove("detail"),
            _ => None,
        };
        let present: Vec<&(&str, Kind)> = columns.iter().filter(|(name, _)| row.contains_key(*name)).collect();
        if let Some(unknown) = row.keys().find(|key| !columns.iter().any(|(name, _)| name == key)) {
            return Err(format!("line {number}: unknown column `{table}.{unknown}`"));
        }
        let placeholders: Vec<String> = (1..=present.len()).map(|i| format!("${i}")).collect();
        let names: Vec<&str> = present.iter().map(|(name, _)| *name).collect();
        let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), placeholders.join(", "));
        let mut query = sqlx::query(&sql);
        for (name, kind) in present {
            let field = &row[*name];
            let wrong = || format!("line {number}: `{table}.{name}` has the wrong type");
            query = match (kind, field) {
                (Int, Value::Null) => query.bind(None::<i64>),
                (Real, Value::Null) => query.bind(None::<f64>),
                (Text, Value::Null) => query.bind(None::<String>),
                (Bytes, Value::Null) => query.bind(None::<Vec<u8>>),
                (Int, Value::Number(n)) => query.bind(n.as_i64().ok_or_else(wrong)?),
                (Real, Value::Number(n)) => query.bind(n.as_f64().ok_or_else(wrong)?),
                (Text, Value::String(s)) => query.bind(s.clone()),
                (Bytes, Value::String(s)) => query.bind(BASE64.decode(s).map_err(|_| wrong())?),
                _ => return Err(wrong()),
            };
        }
        query.execute(&mut *tx).await.map_err(|e| format!("line {number}: cannot restore the {table} row: {e}"))?;
        *counts.entry(table.to_string()).or_default() += 1;
        if let Some(detail) = legacy_detail {
            restore_legacy_detail(&mut tx, &row, detail)
                .await
                .map_err(|e| format!("line {number}: cannot restore the threat's detail: {e}"))?;
        }
    }
    let trailer = trailer.ok_or("the backup ends early (no end line): it is truncated; nothing was restored")?;
    for (table, expected) in trailer["counts"].as_object().into_iter().flatten() {
        let got = counts.get(table).copied().unwrap_or(0);
        if expected.as_u64() != Some(got) {
            return Err(format!("the backup says {table} has {expected} rows but holds {got}; nothing was restored"));
        }
    }
    tx.commit().await.map_err(|e| format!("cannot finish the restore: {e}"))?;
    // Restored rows come without the planner's statistics, and PostgreSQL
    // would plan on guesses until autovacuum gathers them (within a minute
    // or so): a failure here is worth a warning, not a failed restore.
    if let Err(error) = crate::store::statistics::refresh_all(db).await {
        tracing::warn!(%error, "the restore is complete, but analysing its tables failed");
    }
    Ok(counts)
}
