-- Lessons a person has marked as read. Courses and lessons are files, so
-- they are referred to by slug.
CREATE TABLE lesson_progress (
    person_id   BIGINT  NOT NULL REFERENCES people (id),
    course_slug TEXT    NOT NULL,
    lesson_slug TEXT    NOT NULL,
    read_at     BIGINT  NOT NULL,
    PRIMARY KEY (person_id, course_slug, lesson_slug)
);
