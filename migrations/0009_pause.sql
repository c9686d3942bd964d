-- Paused sessions: their nodes are stopped, their disks and network kept.
-- While a session is paused its clock stands still: paused_at is when the
-- pause began, and on resume expires_at moves on by the pause's length,
-- which paused_total adds up (the longest lifetime counts running time).
-- paused_until is when a session still paused ends. last_used_at is the
-- last time a learner used the session (a request, an attached terminal),
-- which the idle pause reads.

ALTER TABLE sessions DROP CONSTRAINT sessions_status_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_status_check
    CHECK (status IN ('starting', 'running', 'paused', 'ended'));

ALTER TABLE sessions
    ADD COLUMN paused_at    timestamptz,
    ADD COLUMN paused_until timestamptz,
    ADD COLUMN paused_total interval NOT NULL DEFAULT '0',
    ADD COLUMN last_used_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE sessions ADD CONSTRAINT sessions_paused_times
    CHECK ((status = 'paused') = (paused_at IS NOT NULL AND paused_until IS NOT NULL) OR status = 'ended');

CREATE INDEX sessions_paused_until ON sessions (instance, paused_until) WHERE status = 'paused';
CREATE INDEX sessions_running_used ON sessions (instance, last_used_at) WHERE status = 'running' AND pool = '';
