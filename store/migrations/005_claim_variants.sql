-- 005: other wordings of a claim (how the myth circulates online), matched like its text.
-- Part of the claim's content: changing them makes a new version, like any other edit.
ALTER TABLE claims ADD COLUMN IF NOT EXISTS variants VARCHAR[] DEFAULT [];
