-- Sessions remember the client address that asked for them, so that the
-- anonymous sessions one address holds can be capped (a classroom's seats
-- are not: a class behind one school router shares an address).
ALTER TABLE sessions ADD COLUMN client_addr text NOT NULL DEFAULT '';
CREATE INDEX sessions_live_addr ON sessions (client_addr) WHERE status <> 'ended' AND scope = '';

-- The event log is pruned by age (store.PruneEvents).
CREATE INDEX progress_events_created ON progress_events (created_at);
