-- Quizzes (labs/quiz.go). A learner's state in a quiz is a progress row
-- like a section's, under the section name 'quiz:' || the quiz id (section
-- and quiz ids hold no ':', so the two never meet): status done once
-- answered right, attempts counting the answers up to the first right one.
-- A progress reset forgets them with the sections. Every answer is an
-- event of kind 'quiz', with the quiz's section in section, its id in quiz,
-- and the answer given in output.

-- 'quiz' joins the kinds the log accepts, whatever other migrations have
-- added to them.
DO $$
DECLARE
    kinds text;
BEGIN
    SELECT string_agg(quote_literal(k), ', ' ORDER BY k) INTO kinds FROM (
        SELECT (regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g'))[1] AS k
            FROM pg_constraint
            WHERE conrelid = 'progress_events'::regclass AND conname = 'progress_events_kind_check'
        UNION SELECT 'quiz') s;
    ALTER TABLE progress_events DROP CONSTRAINT IF EXISTS progress_events_kind_check;
    EXECUTE 'ALTER TABLE progress_events ADD CONSTRAINT progress_events_kind_check CHECK (kind IN (' || kinds || '))';
END $$;
ALTER TABLE progress_events ADD COLUMN quiz text NOT NULL DEFAULT '';

-- An answer is the learner's activity, as a check is.
DROP TRIGGER progress_events_activity ON progress_events;
CREATE TRIGGER progress_events_activity AFTER INSERT ON progress_events
    FOR EACH ROW WHEN (NEW.scope <> '' AND NEW.kind IN ('check', 'ack', 'reset', 'quiz'))
    EXECUTE FUNCTION classroom_member_activity();
