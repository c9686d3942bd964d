-- What a classroom's instructor does to the class (sessions/classroom,
-- actions.go) is written to the same event log as progress, so that it is
-- kept, pruned and announced like the rest: extending sessions, a message
-- to the class, a node or a whole session made anew, the class paused or
-- resumed. actor is the instructor's id; node names the node reset.
ALTER TABLE progress_events DROP CONSTRAINT progress_events_kind_check;
ALTER TABLE progress_events ADD CONSTRAINT progress_events_kind_check CHECK (kind IN (
    'check', 'ack', 'reset',
    'extend', 'message', 'reset_node', 'reset_session', 'pause', 'resume'));
ALTER TABLE progress_events ADD COLUMN actor text NOT NULL DEFAULT '';
ALTER TABLE progress_events ADD COLUMN node text NOT NULL DEFAULT '';
CREATE INDEX progress_events_session ON progress_events (session_id, id) WHERE session_id <> '';

-- Only what the learner did is their activity; what the instructor did to
-- them is not.
DROP TRIGGER progress_events_activity ON progress_events;
CREATE TRIGGER progress_events_activity AFTER INSERT ON progress_events
    FOR EACH ROW WHEN (NEW.scope <> '' AND NEW.kind IN ('check', 'ack', 'reset'))
    EXECUTE FUNCTION classroom_member_activity();

-- Messages to a whole class. Each learner's page shows those they have not
-- dismissed; a dismissal is the learner's own.
CREATE TABLE classroom_messages (
    id           bigserial PRIMARY KEY,
    classroom_id text NOT NULL REFERENCES classrooms (id) ON DELETE CASCADE,
    body         text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 500),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX classroom_messages_classroom ON classroom_messages (classroom_id, id);

CREATE TABLE classroom_message_dismissals (
    message_id   bigint NOT NULL REFERENCES classroom_messages (id) ON DELETE CASCADE,
    user_id      text NOT NULL,
    dismissed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, user_id)
);
