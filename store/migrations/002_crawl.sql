-- 002: crawler bookkeeping. MinHash signatures keep near-duplicate detection derivable from the
-- database across runs; per-source crawl times drive incremental re-crawls; runs count more.
CREATE TABLE IF NOT EXISTS post_signatures (
    post_id VARCHAR PRIMARY KEY,
    signature BIGINT[] NOT NULL,
    stored_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS source_crawls (
    source_id VARCHAR PRIMARY KEY,
    last_crawled_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS unchanged INTEGER DEFAULT 0;
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS near_duplicates INTEGER DEFAULT 0;
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS refused INTEGER DEFAULT 0;
ALTER TABLE crawl_errors ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'error';
