-- 004: where a review task came from. 'flagged': the pipeline flagged the post; 'active_learning':
-- an unflagged post the classifier was least sure about, added by `kepu review push` so that
-- reviewers, the audit trail and training can tell the two apart.
ALTER TABLE review_tasks ADD COLUMN IF NOT EXISTS origin VARCHAR DEFAULT 'flagged';
