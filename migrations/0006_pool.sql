-- The warm pool (sessions/manager/pool.go): sessions made before anyone
-- asks. pool is '' for a learner's session, 'warming' while a pool
-- session's lab images load, 'ready' once it can be handed out; warm_for
-- names the classroom whose seats it was made for ('' for the general pool).
ALTER TABLE sessions ADD COLUMN pool text NOT NULL DEFAULT ''
    CHECK (pool IN ('', 'warming', 'ready'));
ALTER TABLE sessions ADD COLUMN warm_for text NOT NULL DEFAULT '';
CREATE INDEX sessions_pool ON sessions (instance, warm_for, created_at) WHERE pool <> '' AND status <> 'ended';

-- How many ready seats an instructor asked for; each seat taken counts down.
ALTER TABLE classrooms ADD COLUMN warm_wanted integer NOT NULL DEFAULT 0 CHECK (warm_wanted >= 0);
