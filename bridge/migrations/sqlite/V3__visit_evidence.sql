-- Visit evidence (the chip's active-authentication answer to the visit's challenge, with DG15
-- and the SOD; no personal data group), kept with its check-in under the same retention, and
-- its SHA-256, which the check-in references.
ALTER TABLE checkins ADD COLUMN evidence BLOB;
ALTER TABLE checkins ADD COLUMN evidence_sha256 TEXT;
