-- Lists of threats read only these columns; with all of them in one index,
-- a list (and its count) is answered from the index alone, without reading
-- each row's detail JSON (kilobytes per threat).
CREATE INDEX threats_list ON threats (
    model_id, since_version, until_version, score, threat_id, rule, title, target, target_kind, severity,
    severity_rank, stride, analysis_status
);
