-- QR posters for village noticeboards and their anonymous scan counts.
-- A scan is one more in a daily total: no address, no cookie, no person.

CREATE TABLE posters (
    id          INTEGER PRIMARY KEY,
    -- Short and random, from an alphabet without look-alikes (0/O, 1/I/L);
    -- the QR encodes <base>/p/<code>.
    code        TEXT    NOT NULL UNIQUE,
    -- A village, or any region (a town square on the town).
    region_id   INTEGER NOT NULL REFERENCES regions (id),
    -- Where it hangs, e.g. 村委会宣传栏.
    spot        TEXT    NOT NULL,
    -- The tip topic: a course with a tip page.
    course_slug TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    created_by  INTEGER REFERENCES people (id),
    is_demo     BIGINT  NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    -- One poster per place and topic: printing it again reuses its code,
    -- so the counts stay together.
    UNIQUE (region_id, spot, course_slug)
);

-- Daily totals; `day` is the Asia/Shanghai date.
CREATE TABLE poster_scans (
    poster_id INTEGER NOT NULL REFERENCES posters (id),
    day       TEXT    NOT NULL,
    count     BIGINT  NOT NULL CHECK (count > 0),
    PRIMARY KEY (poster_id, day)
);
CREATE INDEX poster_scans_day ON poster_scans (day);
