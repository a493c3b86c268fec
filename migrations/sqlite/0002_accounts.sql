-- Accounts, sessions, admin roles, joining a unit, roster imports, the
-- audit log and login throttling.

CREATE TABLE accounts (
    person_id            INTEGER PRIMARY KEY REFERENCES people (id),
    password_hash        TEXT    NOT NULL,
    -- 1 after an admin reset: the member must set a new password first.
    must_change_password BIGINT  NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    -- 0 while a self-registration waits for a unit admin's approval.
    is_active            BIGINT  NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL
);

-- The cookie carries a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Exactly one of unit_id / region_id is set, matching the role.
CREATE TABLE role_grants (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    role       TEXT    NOT NULL CHECK (role IN ('unit_admin', 'region_admin')),
    unit_id    INTEGER REFERENCES units (id),
    region_id  INTEGER REFERENCES regions (id),
    created_at BIGINT  NOT NULL,
    CHECK ((role = 'unit_admin' AND unit_id IS NOT NULL AND region_id IS NULL)
        OR (role = 'region_admin' AND region_id IS NOT NULL AND unit_id IS NULL))
);
CREATE UNIQUE INDEX role_grants_unit ON role_grants (person_id, unit_id) WHERE role = 'unit_admin';
CREATE UNIQUE INDEX role_grants_region ON role_grants (person_id, region_id) WHERE role = 'region_admin';

-- One current join link per unit; regenerating replaces the token.
CREATE TABLE join_links (
    unit_id    INTEGER PRIMARY KEY REFERENCES units (id),
    token      TEXT    NOT NULL UNIQUE,
    created_by INTEGER REFERENCES people (id),
    created_at BIGINT  NOT NULL
);

CREATE TABLE join_requests (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    post       TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at BIGINT  NOT NULL,
    decided_by INTEGER REFERENCES people (id),
    decided_at BIGINT
);
CREATE INDEX join_requests_unit ON join_requests (unit_id, status);
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests (unit_id, person_id) WHERE status = 'pending';

-- An uploaded roster between preview and commit.
CREATE TABLE roster_imports (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    uploaded_by  INTEGER NOT NULL REFERENCES people (id),
    filename     TEXT    NOT NULL,
    parsed_json  TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('preview', 'committed')),
    created_at   BIGINT  NOT NULL,
    committed_at BIGINT
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER REFERENCES people (id),
    action     TEXT    NOT NULL,
    unit_id    INTEGER REFERENCES units (id),
    region_id  INTEGER REFERENCES regions (id),
    target     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX audit_log_region ON audit_log (region_id, created_at);

-- Failed logins per key (a hash of "phone:…" or "ip:…").
CREATE TABLE login_failures (
    key_hash     TEXT   PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
