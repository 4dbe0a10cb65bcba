-- A model's threats in score order and in target order (the two orders of
-- the editor's and dashboards' lists), with the version range each row is
-- valid for: the first page of a list reads an index from the top and stops
-- once the page is full, instead of sorting every threat of every version.
CREATE INDEX threats_by_score ON threats (model_id, score DESC, threat_id, since_version, until_version);
CREATE INDEX threats_by_target ON threats (model_id, target, threat_id, since_version, until_version);
