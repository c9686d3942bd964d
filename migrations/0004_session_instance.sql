-- Sessions remember which deployment (engine) runs them, so that processes
-- of different deployments can share one database: each reaps, counts and
-- reconciles only its own sessions.
ALTER TABLE sessions ADD COLUMN instance text NOT NULL DEFAULT 'default';
DROP INDEX sessions_live_expiry;
CREATE INDEX sessions_live_expiry ON sessions (instance, expires_at) WHERE status <> 'ended';
