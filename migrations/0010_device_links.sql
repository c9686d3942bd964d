-- Links a learner makes to continue on another browser (server/devices.go):
-- whoever opens one becomes the same learner. Only the SHA-256 of the
-- token is kept, so a copy of the database opens nobody's sessions. A
-- learner has at most one live link; a new one revokes the old. Rows stay
-- after revocation or expiry, as the record of when a link was made, used
-- and stopped.
CREATE TABLE device_links (
    token_hash   bytea PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users (id),
    session_id   text REFERENCES sessions (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    uses         integer NOT NULL DEFAULT 0,
    last_used_at timestamptz
);
CREATE UNIQUE INDEX device_links_live ON device_links (user_id) WHERE revoked_at IS NULL;
CREATE INDEX device_links_user ON device_links (user_id, created_at);
