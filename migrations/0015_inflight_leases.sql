-- Things under way counted across processes (ratelimit.Cap,
-- sessions/store/leases.go): a session's terminal connections and file
-- transfers. Each is a lease that the process holding it (holder) renews
-- while it lasts and deletes when it ends; a lease past expires_at no
-- longer counts, so a killed process's leases vanish on their own.
CREATE UNLOGGED TABLE inflight_leases (
    name       text NOT NULL,
    key        text NOT NULL,
    id         text NOT NULL,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (name, key, id)
);
CREATE INDEX inflight_leases_expires_at ON inflight_leases (expires_at);
