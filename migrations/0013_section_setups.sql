-- The sections whose setups (lab.md's setup blocks) a session has started
-- (sessions/manager/setup.go). Each section's setups run once per session,
-- whichever server process the page reaches: the first request that
-- inserts the row runs them.
CREATE TABLE section_setups (
    session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    section    text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, section)
);
