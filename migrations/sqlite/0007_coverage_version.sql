-- A version number for everything the coverage dashboards read, so a
-- server can keep a province's facts in memory and still show every write on
-- the next request, whichever process made it (app/src/coverage_cache.rs).
-- The version is the sum over the rows; `epoch` is random per database, so a
-- database recreated under the same URL never matches an old cache entry.
-- SQLite has one writer at a time, so one row takes every bump.

CREATE TABLE coverage_version (
    shard   INTEGER PRIMARY KEY,
    epoch   BIGINT  NOT NULL,
    version BIGINT  NOT NULL
);
INSERT INTO coverage_version (shard, epoch, version) VALUES (0, abs(random() % 1000000000000), 0);

CREATE TRIGGER coverage_regions_insert AFTER INSERT ON regions
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_regions_update AFTER UPDATE ON regions
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_regions_delete AFTER DELETE ON regions
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_units_insert AFTER INSERT ON units
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_units_update AFTER UPDATE ON units
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_units_delete AFTER DELETE ON units
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_people_insert AFTER INSERT ON people
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_people_update AFTER UPDATE ON people
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_people_delete AFTER DELETE ON people
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_memberships_insert AFTER INSERT ON memberships
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_memberships_update AFTER UPDATE ON memberships
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_memberships_delete AFTER DELETE ON memberships
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_credentials_insert AFTER INSERT ON credentials
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_credentials_update AFTER UPDATE ON credentials
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_credentials_delete AFTER DELETE ON credentials
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_certificates_insert AFTER INSERT ON certificates
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_certificates_update AFTER UPDATE ON certificates
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_certificates_delete AFTER DELETE ON certificates
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_training_sessions_insert AFTER INSERT ON training_sessions
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_training_sessions_update AFTER UPDATE ON training_sessions
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_training_sessions_delete AFTER DELETE ON training_sessions
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_session_attendees_insert AFTER INSERT ON session_attendees
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_session_attendees_update AFTER UPDATE ON session_attendees
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_session_attendees_delete AFTER DELETE ON session_attendees
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;

CREATE TRIGGER coverage_targets_insert AFTER INSERT ON targets
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_targets_update AFTER UPDATE ON targets
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
CREATE TRIGGER coverage_targets_delete AFTER DELETE ON targets
BEGIN UPDATE coverage_version SET version = version + 1 WHERE shard = 0; END;
