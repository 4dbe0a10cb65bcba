-- A save compares each new threat's fingerprint with the current row's; with
-- the id and fingerprint in the index, that comparison reads the index alone
-- instead of one table row (with its kilobytes of detail) per threat.
DROP INDEX threats_current;
CREATE INDEX threats_current ON threats (model_id, until_version, threat_id, fingerprint);
