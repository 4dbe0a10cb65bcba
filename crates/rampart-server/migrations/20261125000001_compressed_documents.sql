-- A version's document, compressed with zstd (store/documents.rs). Versions
-- saved from now on keep it here and leave `document` empty; earlier ones
-- keep their text in `document`. BYTEA is PostgreSQL's binary type; SQLite
-- accepts the name and stores the bytes as they are.
ALTER TABLE model_versions ADD COLUMN document_zstd BYTEA;
