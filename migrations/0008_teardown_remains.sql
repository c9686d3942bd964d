-- A session whose teardown kept failing is ended all the same (it must not
-- hold capacity, a subnet or a learner's cap); remains marks that what it
-- left on the engine is still to be swept (sessions/manager/reap.go).
ALTER TABLE sessions ADD COLUMN remains boolean NOT NULL DEFAULT false;
CREATE INDEX sessions_remains ON sessions (instance) WHERE remains;
