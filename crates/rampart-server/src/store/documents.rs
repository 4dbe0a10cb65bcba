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
//! versions leave it empty); [`read`] answers either.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::ApiError;

/// zstd's fastest level: the documents are repetitive JSON or YAML and
/// compress about elevenfold at it; higher levels gain a few per cent for
/// several times the CPU.
const LEVEL: i32 = 1;

/// The largest document a stored version may expand to. Uploads are limited
/// to far less (`--body-limit-mib`); this only stops a damaged or hostile
/// row (a restored backup is data from outside) from taking the memory.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024 * 1024;

/// The compressed bytes of `document`, for `document_zstd`.
pub fn compress(document: &str) -> Result<Vec<u8>, ApiError> {
    zstd::bulk::compress(document.as_bytes(), LEVEL)
        .map_err(|error| ApiError::internal("cannot compress the document", error))
}

/// The `model_versions` columns [`read`] needs, for a query's select list.
pub const COLUMNS: &str = "document, document_zstd";

/// The document of a `model_versions` row selected with [`COLUMNS`].
pub fn read(row: &AnyRow) -> Result<String, ApiError> {
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
    let declared = zstd::zstd_safe::get_frame_content_size(bytes).ok().flatten();
    let limit = declared
        .and_then(|size| usize::try_from(size).ok())
        .map_or(MAX_DOCUMENT_BYTES, |size| size.min(MAX_DOCUMENT_BYTES));
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
    fn damaged_bytes_are_an_error_not_a_panic() {
        let mut bytes = compress(&"x".repeat(1000)).unwrap();
        let middle = bytes.len() / 2;
        bytes.truncate(middle);
        assert!(expand(&bytes).is_err());
        assert!(expand(b"not zstd at all").is_err());
    }
}
