-- The head's threats are read far more often than any other version's, and
-- a model saved often piles up history: after 10,000 saves of a
-- 200-component model (some 25 threat rows closed and written by each) a
-- filtered list of the head scanned every row ever stored (35-70 ms a
-- request, where it had taken about 1), and a list in score order stepped
-- over every old row on its way.
--
-- `threats_head` holds the current rows only (`until_version IS NULL`), with
-- every column a list shows, in score order: a list of the latest version
-- is answered from it alone, a page by score stops once it is full, and any
-- other order or count reads the model's current rows and nothing more,
-- however long its history. Older versions are read through `threats_list`
-- (the rows created up to the version), as before; saves find the current
-- rows through `threats_current`, as before. The full-history indexes in
-- score and target order go: every save wrote entries into both, and a
-- list of the head no longer needs them.
DROP INDEX threats_by_score;
DROP INDEX threats_by_target;
CREATE INDEX threats_head ON threats (
    model_id, score DESC, threat_id, rule, title, target, target_kind, severity, severity_rank, stride,
    analysis_status, since_version
) WHERE until_version IS NULL;
