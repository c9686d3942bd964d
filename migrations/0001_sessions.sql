-- Users, sessions and their nodes.

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE users (
    id           text PRIMARY KEY,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    lab        text NOT NULL DEFAULT '',
    lang       text NOT NULL DEFAULT 'en',
    scope      text NOT NULL DEFAULT '',
    subnet     cidr NOT NULL,
    status     text NOT NULL CHECK (status IN ('starting', 'running', 'ended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz,
    end_reason text NOT NULL DEFAULT ''
);

-- Two live sessions never share a subnet; an ended one frees it.
CREATE UNIQUE INDEX sessions_live_subnet ON sessions (subnet) WHERE status <> 'ended';
CREATE INDEX sessions_live_user ON sessions (user_id) WHERE status <> 'ended';
CREATE INDEX sessions_live_expiry ON sessions (expires_at) WHERE status <> 'ended';

CREATE TABLE nodes (
    session_id   text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    name         text NOT NULL,
    container_id text NOT NULL DEFAULT '',
    address      inet,
    status       text NOT NULL DEFAULT 'starting',
    PRIMARY KEY (session_id, name)
);
