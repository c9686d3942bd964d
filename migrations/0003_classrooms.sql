-- Instructors, their logins, classrooms and the learners who joined them.

CREATE TABLE instructors (
    id            text PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX instructors_email ON instructors (lower(email));

-- A login is a random token held by the instructor's browser; only its
-- SHA-256 is kept here, so a copy of the database logs nobody in, and
-- logging out deletes the row for good.
CREATE TABLE instructor_tokens (
    token_hash    bytea PRIMARY KEY,
    instructor_id text NOT NULL REFERENCES instructors (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX instructor_tokens_instructor ON instructor_tokens (instructor_id);
CREATE INDEX instructor_tokens_expiry ON instructor_tokens (expires_at);

-- The code is what learners type: six characters from an alphabet without
-- 0, O, 1, I and L, so that it survives being read aloud or off a projector.
CREATE TABLE classrooms (
    id              text PRIMARY KEY,
    instructor_id   text NOT NULL REFERENCES instructors (id),
    code            text NOT NULL CHECK (code ~ '^[2-9A-HJKMNP-Z]{6}$'),
    name            text NOT NULL,
    lab             text NOT NULL,
    lang            text NOT NULL,
    session_minutes integer NOT NULL CHECK (session_minutes > 0),
    seats           integer NOT NULL DEFAULT 0 CHECK (seats >= 0), -- 0: no limit
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz
);
CREATE UNIQUE INDEX classrooms_code ON classrooms (code);
CREATE INDEX classrooms_instructor ON classrooms (instructor_id, created_at);

-- A learner's seat in a classroom: one per browser identity. The session is
-- the latest one started for the seat; starting_until marks a start in
-- progress so that two tabs never start two sessions.
CREATE TABLE classroom_members (
    classroom_id     text NOT NULL REFERENCES classrooms (id) ON DELETE CASCADE,
    user_id          text NOT NULL REFERENCES users (id),
    id               text NOT NULL UNIQUE,
    display_name     text NOT NULL,
    session_id       text REFERENCES sessions (id) ON DELETE SET NULL,
    starting_until   timestamptz,
    joined_at        timestamptz NOT NULL DEFAULT now(),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (classroom_id, user_id)
);
CREATE UNIQUE INDEX classroom_members_name ON classroom_members (classroom_id, lower(display_name));
CREATE INDEX classroom_members_user ON classroom_members (user_id);

-- A progress event inside a classroom is the learner's latest activity.
CREATE FUNCTION classroom_member_activity() RETURNS trigger AS $$
BEGIN
    UPDATE classroom_members SET last_activity_at = NEW.created_at
        WHERE classroom_id = NEW.scope AND user_id = NEW.user_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER progress_events_activity AFTER INSERT ON progress_events
    FOR EACH ROW WHEN (NEW.scope <> '') EXECUTE FUNCTION classroom_member_activity();

-- Changes a dashboard shows besides progress are announced on the
-- 'classroom_events' channel, in the same shape as 'progress_events':
-- a learner joined or got a new session ('member'), a learner's session
-- started or ended ('session'), the classroom closed ('closed').
CREATE FUNCTION notify_classroom_member() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('classroom_events', json_build_object(
        'scope', NEW.classroom_id, 'user_id', NEW.user_id, 'kind', 'member')::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER classroom_members_insert_notify AFTER INSERT ON classroom_members
    FOR EACH ROW EXECUTE FUNCTION notify_classroom_member();
CREATE TRIGGER classroom_members_update_notify AFTER UPDATE OF session_id, display_name ON classroom_members
    FOR EACH ROW WHEN (OLD.session_id IS DISTINCT FROM NEW.session_id OR OLD.display_name <> NEW.display_name)
    EXECUTE FUNCTION notify_classroom_member();

CREATE FUNCTION notify_classroom_session() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('classroom_events', json_build_object(
        'scope', NEW.scope, 'user_id', NEW.user_id, 'kind', 'session')::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sessions_classroom_notify AFTER UPDATE OF status ON sessions
    FOR EACH ROW WHEN (NEW.scope <> '' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_classroom_session();

CREATE FUNCTION notify_classroom_closed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('classroom_events', json_build_object(
        'scope', NEW.id, 'user_id', '', 'kind', 'closed')::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER classrooms_closed_notify AFTER UPDATE OF status ON classrooms
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_classroom_closed();
