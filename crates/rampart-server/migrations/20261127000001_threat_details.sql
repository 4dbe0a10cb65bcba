-- A threat's detail (its JSON, read back by the API) is kept once per
-- content, in its own table, keyed by the fingerprint that the threat's rows
-- already carry (a digest of that detail), instead of in every row.
--
-- Why: a save closes the rows of the threats it changed, and closing is an
-- UPDATE, which writes the whole row again, its detail (about 1 KB) included;
-- and a threat unchanged for many versions but closed and reopened kept a
-- copy per row. In alternated runs of 50 clients saving a 200-component
-- model on PostgreSQL, 170-184 saves a second became 198-205.
-- Rows that share a fingerprint share the detail, so a row kept from an
-- earlier analysis needs none sent or copied: its detail is there.
CREATE TABLE threat_details (
    model_id    TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    detail      TEXT NOT NULL,
    PRIMARY KEY (model_id, fingerprint)
);

-- Rows with the same fingerprint hold the same detail; MIN picks one should
-- a damaged database hold two. Rows stored without one ('') have none to keep.
INSERT INTO threat_details (model_id, fingerprint, detail)
SELECT model_id, fingerprint, MIN(detail) FROM threats WHERE detail <> '' GROUP BY model_id, fingerprint;

ALTER TABLE threats DROP COLUMN detail;
