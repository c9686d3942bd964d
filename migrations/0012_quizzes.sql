-- Quizzes (labs/quiz.go). A learner's state in a quiz is a progress row
-- like a section's, under the section name 'quiz:' || the quiz id (section
-- and quiz ids hold no ':', so the two never meet): status done once
-- answered right, attempts counting the answers up to the first right one.
-- A progress reset forgets them with the sections. Every answer is an
-- event of kind 'quiz', with the quiz's section in section, its id in quiz,
-- and the answer given in output.
ALTER TABLE progress_events DROP CONSTRAINT IF EXISTS progress_events_kind_check;
ALTER TABLE progress_events ADD CONSTRAINT progress_events_kind_check
    CHECK (kind IN ('check', 'ack', 'reset', 'quiz'));
ALTER TABLE progress_events ADD COLUMN quiz text NOT NULL DEFAULT '';
