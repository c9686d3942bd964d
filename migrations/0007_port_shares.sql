-- Links a learner made to show one of their nodes' ports to someone else
-- (server/ports.go): the token is the capability; revoking ends it.
CREATE TABLE port_shares (
    token      text PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    node       text NOT NULL,
    port       integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE UNIQUE INDEX port_shares_active ON port_shares (session_id, node, port) WHERE revoked_at IS NULL;
