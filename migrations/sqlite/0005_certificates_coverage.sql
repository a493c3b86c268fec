-- Platform certificates, state-issued operator credentials, offline
-- training sessions and drills, and coverage targets. Everything coverage
-- needs is stored as a dated fact, so any date can be replayed.

CREATE TABLE certificates (
    id             INTEGER PRIMARY KEY,
    -- Readable, e.g. JF-2026-000123; numbered per prefix and year.
    serial         TEXT    NOT NULL UNIQUE,
    -- Unguessable code in the public verify URL (100 bits, base32).
    verify_code    TEXT    NOT NULL UNIQUE,
    person_id      INTEGER NOT NULL REFERENCES people (id),
    course_slug    TEXT    NOT NULL,
    -- The title when issued, so renaming a course never rewrites a paper.
    course_title   TEXT    NOT NULL,
    attempt_id     INTEGER UNIQUE REFERENCES exam_attempts (id),
    issued_at      BIGINT  NOT NULL,
    -- Local (Asia/Shanghai) dates; valid_until NULL means no expiry.
    issued_on      TEXT    NOT NULL,
    valid_until    TEXT,
    superseded_by  INTEGER REFERENCES certificates (id),
    revoked_at     BIGINT,
    revoked_by     INTEGER REFERENCES people (id),
    revoked_reason TEXT,
    is_demo        BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
);
CREATE INDEX certificates_person ON certificates (person_id, course_slug, issued_at);

-- One row per serial prefix and year; incremented inside the issuing
-- transaction, which locks the row, so serials never repeat.
CREATE TABLE serial_counters (
    prefix     TEXT   PRIMARY KEY,
    last_value BIGINT NOT NULL
);

CREATE TABLE credentials (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    -- The unit whose admin registered it.
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    -- 5 = 五级 (初级) … 1 = 一级 (高级技师).
    level       BIGINT  NOT NULL CHECK (level BETWEEN 1 AND 5),
    number      TEXT    NOT NULL,
    issuer      TEXT    NOT NULL,
    issued_on   TEXT    NOT NULL,
    expires_on  TEXT,
    created_at  BIGINT  NOT NULL,
    created_by  INTEGER REFERENCES people (id),
    checked_at  BIGINT,
    checked_by  INTEGER REFERENCES people (id),
    withdrawn_at BIGINT,
    is_demo     BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    UNIQUE (person_id, number)
);
CREATE INDEX credentials_unit ON credentials (unit_id);

-- Photos apart from the rows, so listing credentials never reads them.
CREATE TABLE credential_photos (
    credential_id INTEGER PRIMARY KEY REFERENCES credentials (id),
    content_type  TEXT    NOT NULL,
    bytes         BLOB    NOT NULL
);

CREATE TABLE training_sessions (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('training', 'drill')),
    held_on    TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by INTEGER REFERENCES people (id),
    is_demo    BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
);
CREATE INDEX training_sessions_unit ON training_sessions (unit_id, held_on);

CREATE TABLE session_attendees (
    session_id INTEGER NOT NULL REFERENCES training_sessions (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX session_attendees_person ON session_attendees (person_id);

-- Milestones per metric. region_id NULL applies everywhere; a region's own
-- rows replace them for that region and below.
CREATE TABLE targets (
    id            INTEGER PRIMARY KEY,
    region_id     INTEGER REFERENCES regions (id),
    metric        TEXT    NOT NULL CHECK (metric IN ('certified', 'induction', 'annual', 'drills')),
    due_on        TEXT    NOT NULL,
    percent_tenths BIGINT NOT NULL CHECK (percent_tenths BETWEEN 0 AND 1000),
    UNIQUE (region_id, metric, due_on)
);

INSERT INTO targets (region_id, metric, due_on, percent_tenths) VALUES
    (NULL, 'certified', '2024-12-31', 850),
    (NULL, 'certified', '2026-12-31', 1000),
    (NULL, 'induction', '2024-12-31', 850),
    (NULL, 'induction', '2026-12-31', 1000),
    (NULL, 'annual',    '2024-12-31', 850),
    (NULL, 'annual',    '2026-12-31', 1000),
    (NULL, 'drills',    '2024-12-31', 850),
    (NULL, 'drills',    '2026-12-31', 1000);
