-- A version number for everything the coverage dashboards read, so a
-- server can keep a province's facts in memory and still show every write on
-- the next request, whichever process made it (app/src/coverage_cache.rs).
-- The version is the sum over the rows; `epoch` is random per database, so a
-- database recreated under the same URL never matches an old cache entry.
-- Writers bump one of 16 rows chosen by their backend, once per statement,
-- so concurrent transactions (exam passes inserting certificates) rarely
-- wait on each other's row lock; readers add the rows up in one statement.

CREATE TABLE coverage_version (
    shard   BIGINT PRIMARY KEY,
    epoch   BIGINT NOT NULL,
    version BIGINT NOT NULL
);
INSERT INTO coverage_version (shard, epoch, version)
SELECT shard, e.epoch, 0
FROM generate_series(0, 15) AS shard,
     (SELECT floor(random() * 1000000000000)::BIGINT AS epoch) AS e;

CREATE FUNCTION coverage_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE coverage_version SET version = version + 1 WHERE shard = pg_backend_pid() % 16;
    RETURN NULL;
END
$$;

CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON credentials
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certificates
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON training_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session_attendees
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
CREATE TRIGGER coverage_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON targets
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_bump();
