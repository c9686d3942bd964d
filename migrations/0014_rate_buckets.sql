-- Token buckets shared by every server process on this database
-- (ratelimit.Limiter, sessions/store/buckets.go): one row per bucket name
-- (what is limited: "starts", "login_ip", ...) and key (an address, a
-- session), holding its tokens as they stood at `at`. The refill is
-- computed on each take from the time passed in, so no process writes
-- rows to refill them. granted says whether the last take found a token.
-- A row whose bucket has filled up again means the same as no row, and is
-- swept. The table is unlogged: buckets are worth nothing after a crash,
-- and writing them skips the WAL.
CREATE UNLOGGED TABLE rate_buckets (
    name    text NOT NULL,
    key     text NOT NULL,
    tokens  double precision NOT NULL,
    at      timestamptz NOT NULL,
    granted boolean NOT NULL,
    PRIMARY KEY (name, key)
);
