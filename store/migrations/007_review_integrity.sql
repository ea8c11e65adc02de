-- 007: review that can be trusted on the open-source Label Studio, and a tamper-evident audit log.
--
-- Audit chain: each audit_log row stores the hash of its content and of the previous row
-- (kepu/audit_chain.py); audit_head keeps the newest hash so the next row can link to it.
-- Rows written before this migration are hashed once when it is applied (kepu/store/db.py).
-- DuckDB has no triggers: an UPDATE or DELETE is not prevented, only made visible by
-- `kepu review verify-audit`.
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS row_hash VARCHAR;
CREATE TABLE IF NOT EXISTS audit_head (
    one INTEGER PRIMARY KEY,
    id BIGINT NOT NULL,
    row_hash VARCHAR NOT NULL
);

-- The hash of the task data kepu sent for a round (checked at every pull: any member can edit
-- task data in Label Studio's open-source edition) and of the answer each decision came from
-- (an edit after the decision is seen and recorded).
ALTER TABLE review_outbox ADD COLUMN IF NOT EXISTS data_hash VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS result_hash VARCHAR;
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS annotation_updated_by VARCHAR;

-- What kind of problem an annotation or remote task had: 'invalid' (a rule of the verdict scheme;
-- the reviewer edits the answer), 'not_assigned' (someone other than the assigned reviewer wrote
-- or changed it), 'task_changed' / 'task_missing' (the remote task is not what kepu sent),
-- 'changed_after_decision', 'extra_after_decision', 'task_changed_after_decision',
-- 'task_missing_after_decision' (recorded; the round is reopened when the verdict changes).
ALTER TABLE review_rejections ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'invalid';
ALTER TABLE review_rejections ADD COLUMN IF NOT EXISTS remote_task_id BIGINT;

-- Remote tasks kepu stopped trusting (changed, deleted, or answered by someone else); their round
-- was sent anew as another task. Label Studio on SQLite may reuse a deleted task's id, so this is
-- a record, not a key: a round's current task is the one its outbox row names.
CREATE TABLE IF NOT EXISTS review_void_tasks (
    remote_task_id BIGINT NOT NULL,
    round_id VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    voided_at TIMESTAMPTZ NOT NULL
);

-- Decisions and final outcomes taken back when their round was reopened (kept as they were).
CREATE TABLE IF NOT EXISTS review_superseded (
    kind VARCHAR NOT NULL,          -- 'decision' | 'outcome'
    task_id VARCHAR NOT NULL,
    round_id VARCHAR,
    row_json VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    superseded_at TIMESTAMPTZ NOT NULL
);
