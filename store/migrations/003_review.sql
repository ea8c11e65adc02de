-- 003: the expert review workflow. Rounds (one reviewer's look at one task, with the evidence
-- shown), the outbox of rounds still to send to the review UI, final outcomes, rejected
-- annotations (so a re-pull logs them once) and labelled examples fed back for training.
-- Rows are appended; the few columns that change (outbox sent_at, task status) change together
-- with an audit_log row in the same transaction.

CREATE TABLE IF NOT EXISTS review_rounds (
    id VARCHAR PRIMARY KEY,
    task_id VARCHAR NOT NULL,
    panel VARCHAR NOT NULL,
    role VARCHAR NOT NULL,
    assigned_to VARCHAR,
    evidence VARCHAR NOT NULL,
    payload VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS review_outbox (
    round_id VARCHAR PRIMARY KEY,
    panel VARCHAR NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR,
    backend VARCHAR,
    project_id BIGINT,
    remote_task_id BIGINT,
    sent_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS review_outcomes (
    task_id VARCHAR PRIMARY KEY,
    verdict VARCHAR NOT NULL,
    harm VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    decided_by VARCHAR[] NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS review_rejections (
    annotation_key VARCHAR PRIMARY KEY,
    round_id VARCHAR NOT NULL,
    reviewer VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL
);

-- Labelled examples from expert verdicts, read by the models area for training.
-- label: 1 = pseudo-science confirmed, 0 = not pseudo-science (kind = 'false_positive' when an
-- expert found a flagged post accurate).
CREATE TABLE IF NOT EXISTS training_examples (
    post_id VARCHAR PRIMARY KEY,
    text VARCHAR NOT NULL,
    lang VARCHAR,
    label INTEGER NOT NULL,
    verdict VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL DEFAULT 'review',
    task_id VARCHAR NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE decisions ADD COLUMN IF NOT EXISTS round_id VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS annotation_id VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS evidence VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS claim_text VARCHAR;

-- Which final outcomes have been fed back into the claims base and the training examples.
CREATE TABLE IF NOT EXISTS review_feedback (
    task_id VARCHAR PRIMARY KEY,
    claim_id VARCHAR,
    claim_version INTEGER,
    example_label INTEGER,
    fed_at TIMESTAMPTZ NOT NULL
);
