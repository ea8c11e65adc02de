-- 009: records of one claim in several languages share a group (e.g. kc-001-zh and kc-001-en in
-- "kc-001"), so the weekly report counts them as one myth. NULL: the claim stands alone.
ALTER TABLE claims ADD COLUMN IF NOT EXISTS claim_group VARCHAR;
