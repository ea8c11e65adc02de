-- 001: the core schema. Every write is idempotent (primary keys + ON CONFLICT).
CREATE SEQUENCE IF NOT EXISTS audit_seq;
CREATE SEQUENCE IF NOT EXISTS crawl_run_seq;

CREATE TABLE IF NOT EXISTS sources (
    id VARCHAR PRIMARY KEY,
    url VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    lang VARCHAR,
    topic VARCHAR,
    platform VARCHAR,
    crawl_interval_minutes INTEGER DEFAULT 60,
    audience INTEGER DEFAULT 1000
);

CREATE TABLE IF NOT EXISTS posts (
    id VARCHAR PRIMARY KEY,
    source_id VARCHAR,
    url VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL UNIQUE,
    content_hash VARCHAR NOT NULL,
    title VARCHAR,
    text VARCHAR NOT NULL,
    author VARCHAR,
    published TIMESTAMPTZ,
    lang VARCHAR,
    platform VARCHAR,
    fetched_at TIMESTAMPTZ NOT NULL,
    duplicate_of VARCHAR
);
CREATE INDEX IF NOT EXISTS posts_content_hash ON posts(content_hash);

CREATE TABLE IF NOT EXISTS claims (
    id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    text VARCHAR NOT NULL,
    lang VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,
    topic VARCHAR NOT NULL,
    explanation VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE IF NOT EXISTS embeddings (
    model VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    vector FLOAT[] NOT NULL,
    PRIMARY KEY (model, content_hash)
);

CREATE TABLE IF NOT EXISTS post_claims (
    post_id VARCHAR NOT NULL,
    claim_id VARCHAR NOT NULL,
    claim_version INTEGER NOT NULL,
    sentence VARCHAR NOT NULL,
    similarity DOUBLE NOT NULL,
    stance VARCHAR NOT NULL,
    PRIMARY KEY (post_id, claim_id)
);

CREATE TABLE IF NOT EXISTS flags (
    post_id VARCHAR PRIMARY KEY,
    flagged BOOLEAN NOT NULL,
    score DOUBLE NOT NULL,
    stance VARCHAR NOT NULL,
    topic VARCHAR,
    reason VARCHAR,
    classifier_score DOUBLE,
    model_version VARCHAR,
    scored_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS review_tasks (
    id VARCHAR PRIMARY KEY,
    post_id VARCHAR NOT NULL UNIQUE,
    panel VARCHAR NOT NULL,
    priority DOUBLE NOT NULL,
    status VARCHAR NOT NULL,
    required_reviews INTEGER NOT NULL DEFAULT 1,
    due_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS decisions (
    id VARCHAR PRIMARY KEY,
    task_id VARCHAR NOT NULL,
    reviewer VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,
    harm VARCHAR NOT NULL,
    rationale VARCHAR,
    refs VARCHAR[],
    model_version VARCHAR,
    decided_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    logged_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    detail VARCHAR
);

CREATE TABLE IF NOT EXISTS model_versions (
    id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    parent VARCHAR,
    metrics VARCHAR,
    created_at TIMESTAMPTZ NOT NULL,
    promoted BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS crawl_runs (
    id BIGINT PRIMARY KEY DEFAULT nextval('crawl_run_seq'),
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    pages INTEGER DEFAULT 0,
    new_posts INTEGER DEFAULT 0,
    changed INTEGER DEFAULT 0,
    duplicates INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0
);

CREATE TABLE IF NOT EXISTS crawl_errors (
    run_id BIGINT NOT NULL,
    url VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
