-- Exam attempts. The drawn questions are stored with the attempt (a
-- snapshot, so editing the bank never changes a running or past exam),
-- with the order their options are shown in.
CREATE TABLE exam_attempts (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people (id),
    course_slug    TEXT    NOT NULL,
    started_at     BIGINT  NOT NULL,
    deadline_at    BIGINT  NOT NULL,
    submitted_at   BIGINT,
    -- Percent × 10 (one decimal), set when graded.
    score_tenths   BIGINT,
    passed         BIGINT  CHECK (passed IN (0, 1)),
    pass_mark      BIGINT  NOT NULL
);
CREATE INDEX exam_attempts_person ON exam_attempts (person_id, course_slug, started_at);

CREATE TABLE attempt_questions (
    attempt_id    INTEGER NOT NULL REFERENCES exam_attempts (id),
    position      BIGINT  NOT NULL,
    question_json TEXT    NOT NULL,
    option_order  TEXT    NOT NULL,
    -- The learner's choice as the question's own option indices (JSON).
    answer        TEXT,
    answered_at   BIGINT,
    PRIMARY KEY (attempt_id, position)
);
