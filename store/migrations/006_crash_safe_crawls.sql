-- 006: crash-safe crawls. A crawled page counts as unchanged only when the store holds the post
-- extracted from exactly that page body: its digest is written in the post's own transaction,
-- so a batch lost with a killed crawl leaves no digest and the page is read again next time.
-- A run whose process died keeps finished_at NULL; the next run marks it 'died' and says so.
CREATE TABLE IF NOT EXISTS page_digests (
    canonical_url VARCHAR PRIMARY KEY,
    host VARCHAR NOT NULL,
    digest VARCHAR NOT NULL,
    stored_at TIMESTAMPTZ NOT NULL
);

-- finished: ran to the end (its sources marked crawled in the same transaction);
-- stopped: shut down early (Ctrl-C, SIGTERM), what it stored kept, sources not marked;
-- died: found unfinished by a later run (killed, out of memory, power lost).
ALTER TABLE crawl_runs ADD COLUMN IF NOT EXISTS outcome VARCHAR;
UPDATE crawl_runs SET outcome = 'finished' WHERE finished_at IS NOT NULL AND outcome IS NULL;
