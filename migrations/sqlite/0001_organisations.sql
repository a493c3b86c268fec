-- Regions, units, people and their posts. Dates are 'YYYY-MM-DD' text,
-- instants Unix seconds, flags 0/1 BIGINT (sqlx::Any decodes no SQLite
-- booleans), so the same queries run on SQLite and PostgreSQL.

CREATE TABLE regions (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES regions (id),
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    level      TEXT    NOT NULL CHECK (level IN ('province', 'city', 'county', 'town', 'village')),
    is_demo    BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
);
CREATE INDEX regions_parent ON regions (parent_id);

CREATE TABLE units (
    id                   INTEGER PRIMARY KEY,
    region_id            INTEGER NOT NULL REFERENCES regions (id),
    name                 TEXT    NOT NULL,
    credit_code          TEXT    UNIQUE,
    industry             TEXT    NOT NULL,
    is_key_unit          BIGINT  NOT NULL DEFAULT 0 CHECK (is_key_unit IN (0, 1)),
    is_public_gathering  BIGINT  NOT NULL DEFAULT 0 CHECK (is_public_gathering IN (0, 1)),
    has_control_room     BIGINT  NOT NULL DEFAULT 0 CHECK (has_control_room IN (0, 1)),
    control_room_linkage BIGINT  NOT NULL DEFAULT 0 CHECK (control_room_linkage IN (0, 1)),
    is_demo              BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at           BIGINT  NOT NULL,
    UNIQUE (region_id, name)
);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    phone      TEXT    NOT NULL UNIQUE,
    is_demo    BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at BIGINT  NOT NULL
);

CREATE TABLE memberships (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    post       TEXT    NOT NULL CHECK (post IN ('employee', 'operator', 'station', 'manager', 'principal')),
    start_date TEXT    NOT NULL,
    end_date   TEXT,
    UNIQUE (person_id, unit_id, post, start_date)
);
CREATE INDEX memberships_unit ON memberships (unit_id);
