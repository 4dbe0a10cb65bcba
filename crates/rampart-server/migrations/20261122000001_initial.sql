-- The first schema of the Rampart server. Portable SQL: the same statements
-- run on SQLite and PostgreSQL. Ids are text (UUIDs made by the server),
-- times are milliseconds since the Unix epoch, flags are 0/1 integers.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    email          TEXT,
    password_hash  TEXT,
    is_org_admin   BIGINT NOT NULL DEFAULT 0,
    oidc_issuer    TEXT,
    oidc_subject   TEXT,
    failed_logins  BIGINT NOT NULL DEFAULT 0,
    locked_until   BIGINT,
    disabled       BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- A login through single sign-on in progress: what the callback must check.
CREATE TABLE oidc_logins (
    state          TEXT PRIMARY KEY,
    nonce          TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE business_units (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE projects (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    business_unit_id  TEXT NOT NULL REFERENCES business_units (id),
    name              TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    UNIQUE (business_unit_id, name)
);

-- A role given to a user on a business unit (and so on its projects) or on one project.
CREATE TABLE role_grants (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope_kind  TEXT NOT NULL,
    scope_id    TEXT NOT NULL,
    role        TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, scope_kind, scope_id)
);
CREATE INDEX role_grants_scope ON role_grants (scope_kind, scope_id);

-- Personal tokens act for their user (capped at `role`); project tokens act on one project with `role`.
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    token_hash    TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    user_id       TEXT REFERENCES users (id) ON DELETE CASCADE,
    project_id    TEXT REFERENCES projects (id) ON DELETE CASCADE,
    role          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);

CREATE TABLE models (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    project_id    TEXT NOT NULL REFERENCES projects (id),
    name          TEXT NOT NULL,
    head_version  BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (project_id, name)
);

-- Every save is a new, immutable version, with the summary of its analysis.
CREATE TABLE model_versions (
    model_id       TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version        BIGINT NOT NULL,
    author_id      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    message        TEXT NOT NULL,
    source_format  TEXT NOT NULL,
    document       TEXT NOT NULL,
    components     BIGINT NOT NULL,
    flows          BIGINT NOT NULL,
    threats_total  BIGINT NOT NULL,
    unresolved     BIGINT NOT NULL,
    critical       BIGINT NOT NULL,
    high           BIGINT NOT NULL,
    medium         BIGINT NOT NULL,
    low            BIGINT NOT NULL,
    risk_score     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (model_id, version)
);

-- The threats of every version, stored as ranges: a row holds a threat as
-- analysed from version `since_version` up to `until_version` (NULL while it
-- is still raised unchanged by the head). A save writes only what changed.
CREATE TABLE threats (
    model_id       TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    threat_id      TEXT NOT NULL,
    since_version  BIGINT NOT NULL,
    until_version  BIGINT,
    rule           TEXT NOT NULL,
    title          TEXT NOT NULL,
    target         TEXT NOT NULL,
    target_kind    TEXT NOT NULL,
    severity       TEXT NOT NULL,
    severity_rank  BIGINT NOT NULL,
    score          DOUBLE PRECISION NOT NULL,
    stride         TEXT NOT NULL,
    -- The status the analysis gives (from the document's own tracking, or
    -- `mitigated` when every countermeasure is present); a decision made
    -- through the API, in threat_states, wins over it.
    analysis_status TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    detail         TEXT NOT NULL,
    PRIMARY KEY (model_id, threat_id, since_version)
);
CREATE INDEX threats_current ON threats (model_id, until_version);

-- The lifecycle of a threat in a model, carried from version to version by its stable id.
CREATE TABLE threat_states (
    model_id                TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    threat_id               TEXT NOT NULL,
    status                  TEXT NOT NULL,
    justification           TEXT,
    owner                   TEXT,
    due_date                TEXT,
    expires                 TEXT,
    ticket                  TEXT,
    proposed_status         TEXT,
    proposed_justification  TEXT,
    proposed_by             TEXT,
    revision                BIGINT NOT NULL,
    updated_by              TEXT NOT NULL,
    updated_at              BIGINT NOT NULL,
    PRIMARY KEY (model_id, threat_id)
);

CREATE TABLE threat_comments (
    id          TEXT PRIMARY KEY,
    model_id    TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    threat_id   TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX threat_comments_threat ON threat_comments (model_id, threat_id);

CREATE TABLE countermeasure_states (
    model_id           TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    countermeasure_id  TEXT NOT NULL,
    status             TEXT NOT NULL,
    note               TEXT,
    revision           BIGINT NOT NULL,
    updated_by         TEXT NOT NULL,
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (model_id, countermeasure_id)
);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    org_id       TEXT,
    at           BIGINT NOT NULL,
    actor_id     TEXT,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    detail       TEXT NOT NULL,
    remote_addr  TEXT NOT NULL
);
CREATE INDEX audit_log_org_at ON audit_log (org_id, at);

-- Long work, queued in the database and taken by any server replica.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    started_at      BIGINT,
    finished_at     BIGINT,
    worker          TEXT,
    heartbeat_at    BIGINT,
    progress_done   BIGINT NOT NULL DEFAULT 0,
    progress_total  BIGINT NOT NULL DEFAULT 0,
    result          TEXT,
    error           TEXT
);
CREATE INDEX jobs_status ON jobs (status, created_at);

-- Credentials for integrations (issue trackers, webhooks), sealed with the
-- server's secret key: the database alone does not reveal them.
CREATE TABLE secrets (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    project_id  TEXT REFERENCES projects (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sealed      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, project_id, name)
);
