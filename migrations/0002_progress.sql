-- Progress through labs: one row per learner, lab and section, and an
-- append-only log of everything that changed it.

-- scope separates an anonymous run of a lab from runs inside a classroom
-- ('' for anonymous, the classroom id otherwise).
CREATE TABLE progress (
    user_id       text NOT NULL REFERENCES users (id),
    lab           text NOT NULL,
    scope         text NOT NULL DEFAULT '',
    section       text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    completed_at  timestamptz,
    last_output   text NOT NULL DEFAULT '',
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, lab, scope, section)
);

CREATE TABLE progress_events (
    id         bigserial PRIMARY KEY,
    user_id    text NOT NULL,
    lab        text NOT NULL,
    scope      text NOT NULL DEFAULT '',
    section    text NOT NULL DEFAULT '',
    session_id text NOT NULL DEFAULT '',
    kind       text NOT NULL CHECK (kind IN ('check', 'ack', 'reset')),
    passed     boolean,
    output     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX progress_events_scope ON progress_events (scope, id);

-- Every event is announced on the 'progress_events' channel, so that every
-- server process sharing this database can fan it out to live dashboards.
CREATE FUNCTION notify_progress_event() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('progress_events', json_build_object(
        'id', NEW.id, 'user_id', NEW.user_id, 'lab', NEW.lab, 'scope', NEW.scope,
        'section', NEW.section, 'kind', NEW.kind)::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER progress_events_notify AFTER INSERT ON progress_events
    FOR EACH ROW EXECUTE FUNCTION notify_progress_event();
