-- 008: which signal raised a flag ("claim": a known false/misleading claim asserted; "detector":
-- probable pseudo-science that no known claim describes) and the detector's probability, so the
-- review queue can rank detector flags below matched myths.
ALTER TABLE flags ADD COLUMN IF NOT EXISTS basis VARCHAR DEFAULT 'claim';
ALTER TABLE flags ADD COLUMN IF NOT EXISTS detector_score DOUBLE;
