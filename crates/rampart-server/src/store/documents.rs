//! How a version's document is kept: compressed with zstd in
//! `model_versions.document_zstd`.
//!
//! A version keeps the document exactly as it was saved (a YAML file's
//! comments and layout included), and every save of a model writes one. A
//! 200-component model is about 350 KB of text and 32 KB compressed at
//! zstd's fastest level, which takes about 0.3 ms. Under a stream of saves,
//! writing and checkpointing the uncompressed text was a quarter of the
//! server's CPU on SQLite, and it was most of the database's size.
//!
//! Versions saved before compression keep their text in `document` (new
//! versions leave it empty); [`load`] answers either.
//!
//! A save that follows one this server stored compresses its document
//! against that version's (zstd's prefix: the bytes both share cost a
//! reference each), and records which version in `document_base`. Renaming
//! a component then stores a few hundred bytes instead of 32 KB. Reading
//! such a document decompresses its chain from the last version compressed
//! on its own; chains are at most [`MAX_DEPTH`] long, so a read of any
//! version expands at most that many documents.

use sqlx::Row;
use sqlx::any::AnyRow;
use zstd::zstd_safe::{self, CCtx, CParameter, DCtx};

use crate::error::ApiError;

/// zstd's fastest level: the documents are repetitive JSON or YAML and
/// compress about elevenfold at it; higher levels gain a few per cent for
/// several times the CPU.
const LEVEL: i32 = 1;

/// The largest document a stored version may expand to. Uploads are limited
/// to far less (`--body-limit-mib`); this only stops a damaged or hostile
/// row (a restored backup is data from outside) from taking the memory.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;

/// How many deltas deep a version's document may be stored: the next save
/// after that compresses its document on its own. Reading a version at the
/// end of a chain expands this many documents (about 0.3 ms each for a
/// 200-component model), and a chain's first document is stored whole once
/// every this many saves.
pub const MAX_DEPTH: u32 = 16;

/// Chains longer than this are refused when read: [`MAX_DEPTH`] is what a
/// server writes, and a restored backup is data from outside.
const MAX_READ_DEPTH: i64 = 64;

/// The compressed bytes of `document`, for `document_zstd`.
pub fn compress(document: &str) -> Result<Vec<u8>, ApiError> {
    zstd::bulk::compress(document.as_bytes(), LEVEL)
        .map_err(|error| ApiError::internal("cannot compress the document", error))
}

/// The bytes of `document` compressed against `base` (an earlier version's
/// document), for `document_zstd` with `document_base` set: read back only
/// with the same `base` ([`expand_against`]). The frame carries a checksum
/// of the text, so a wrong base is an error rather than a wrong document.
pub fn compress_against(document: &str, base: &str) -> Result<Vec<u8>, ApiError> {
    let failed = |code| ApiError::internal("cannot compress the document", zstd_safe::get_error_name(code));
    let mut context = CCtx::create();
    context.set_parameter(CParameter::CompressionLevel(LEVEL)).map_err(failed)?;
    // The window must reach back over the whole base for its matches, and
    // long-distance matching finds them: without it, zstd's fastest level
    // kept a 200-component document at 30.8 KB of its 31.1 alone; with it,
    // a renamed component took 82 bytes, in 0.23 ms against 0.40 alone.
    context.set_parameter(CParameter::WindowLog(window_log(base.len() + document.len()))).map_err(failed)?;
    context.set_parameter(CParameter::EnableLongDistanceMatching(true)).map_err(failed)?;
    context.set_parameter(CParameter::ChecksumFlag(true)).map_err(failed)?;
    context.ref_prefix(base.as_bytes()).map_err(failed)?;
    let mut compressed = Vec::with_capacity(zstd_safe::compress_bound(document.len()));
    context.compress2(&mut compressed, document.as_bytes()).map_err(failed)?;
    Ok(compressed)
}

/// The window (log 2 of its bytes) that spans `bytes`, within what zstd's
/// decoders accept by default (128 MB: a base beyond it is only partly used).
fn window_log(bytes: usize) -> u32 {
    let needed = usize::BITS - bytes.max(1).leading_zeros();
    // zstd's smallest window is 1 KB.
    needed.clamp(10, 27)
}

/// The text of bytes [`compress_against`] wrote against `base`.
pub fn expand_against(bytes: &[u8], base: &str) -> Result<String, ApiError> {
    let failed = |code| ApiError::internal("a stored document cannot be read", zstd_safe::get_error_name(code));
    let size = declared_size(bytes)
        .ok_or_else(|| ApiError::internal("a stored document cannot be read", "its frame has no content size"))?;
    let mut context = DCtx::create();
    context.ref_prefix(base.as_bytes()).map_err(failed)?;
    let mut text = Vec::with_capacity(size);
    context.decompress(&mut text, bytes).map_err(failed)?;
    String::from_utf8(text).map_err(|error| ApiError::internal("a stored document is not UTF-8", error))
}

/// The length of the text a frame says it holds, if it says and it is
/// within [`MAX_DOCUMENT_BYTES`].
fn declared_size(bytes: &[u8]) -> Option<usize> {
    let declared = zstd_safe::get_frame_content_size(bytes).ok().flatten()?;
    usize::try_from(declared).ok().filter(|size| *size <= MAX_DOCUMENT_BYTES)
}

/// The document of version `version` of `model_id`, expanded from the
/// version it was compressed against when it was ([`compress_against`]),
/// and so on back; `None` when there is no such version.
pub async fn load<'e, E>(executor: E, model_id: &str, version: i64) -> Result<Option<String>, ApiError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    // The version, then each base in turn, each an earlier version (so the
    // walk ends even on a damaged row), deepest first.
    let chain = sqlx::query(
        "WITH RECURSIVE chain (version, document_base, document, document_zstd, depth) AS ( \
           SELECT version, document_base, document, document_zstd, 0 FROM model_versions \
           WHERE model_id = $1 AND version = $2 \
           UNION ALL SELECT v.version, v.document_base, v.document, v.document_zstd, c.depth + 1 \
           FROM chain c JOIN model_versions v ON v.model_id = $1 AND v.version = c.document_base \
           WHERE c.document_base < c.version AND c.depth < $3) \
         SELECT version, document_base, document, document_zstd FROM chain ORDER BY depth DESC",
    )
    .bind(model_id)
    .bind(version)
    .bind(MAX_READ_DEPTH)
    .fetch_all(executor)
    .await?;
    let mut text: Option<String> = None;
    for row in &chain {
        let base: Option<i64> = row.try_get("document_base")?;
        text = Some(match (base, text.take()) {
            (None, _) => read(row)?,
            (Some(_), Some(base_text)) => {
                let bytes: Option<Vec<u8>> = row.try_get("document_zstd")?;
                expand_against(bytes.as_deref().unwrap_or_default(), &base_text)?
            }
            (Some(base), None) => {
                let stored: i64 = row.try_get("version")?;
                return Err(ApiError::internal(
                    "a stored document cannot be read",
                    format!("version {stored} of model {model_id} is stored against version {base}, which is missing"),
                ));
            }
        });
    }
    Ok(text)
}

/// The document of a `model_versions` row compressed on its own (or not at
/// all), selected with its `document` and `document_zstd`.
fn read(row: &AnyRow) -> Result<String, ApiError> {
    let compressed: Option<Vec<u8>> = row.try_get("document_zstd")?;
    match compressed {
        Some(bytes) => expand(&bytes),
        None => Ok(row.try_get("document")?),
    }
}

/// The text of compressed document bytes.
pub fn expand(bytes: &[u8]) -> Result<String, ApiError> {
    // The frame header says how long the text is (`compress` writes it);
    // decompression stops with an error at the limit either way.
    let limit = declared_size(bytes).unwrap_or(MAX_DOCUMENT_BYTES);
    let text = zstd::bulk::decompress(bytes, limit)
        .map_err(|error| ApiError::internal("a stored document cannot be read", error))?;
    String::from_utf8(text).map_err(|error| ApiError::internal("a stored document is not UTF-8", error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_comes_back_as_it_was_saved() {
        let document = "# comments and layout stay\ncomponents:\n  - id: web   # here too\n".repeat(50);
        let bytes = compress(&document).unwrap();
        assert!(bytes.len() < document.len() / 5, "{} bytes for {}", bytes.len(), document.len());
        assert_eq!(expand(&bytes).unwrap(), document);
    }

    #[test]
    fn a_document_compressed_against_another_comes_back_with_it_only() {
        let base: String = (0..2000).map(|i| format!("  - id: component-{i}\n    name: Component {i}\n")).collect();
        let document = base.replace("name: Component 1234\n", "name: Renamed\n");
        let alone = compress(&document).unwrap();
        let delta = compress_against(&document, &base).unwrap();
        assert!(delta.len() * 20 < alone.len(), "{} bytes against {} alone", delta.len(), alone.len());
        assert_eq!(expand_against(&delta, &base).unwrap(), document);
        // Another base gives an error (the frame's checksum), not another text.
        let other = base.replace("Component 7", "Component 8");
        assert!(expand_against(&delta, &other).is_err());
        assert!(expand_against(&delta[..delta.len() / 2], &base).is_err());
        assert!(expand_against(b"not zstd at all", &base).is_err());
    }

    #[test]
    fn the_window_spans_base_and_document_within_the_decoders_limit() {
        assert_eq!(window_log(0), 10);
        assert_eq!(window_log(700 * 1024), 20);
        assert_eq!(window_log(1 << 20), 21);
        assert_eq!(window_log(usize::MAX), 27);
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut bytes = compress(&"x".repeat(1000)).unwrap();
        let middle = bytes.len() / 2;
        bytes.truncate(middle);
        assert!(expand(&bytes).is_err());
        assert!(expand(b"not zstd at all").is_err());
    }
}
