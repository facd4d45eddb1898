-- As migrations/sqlite/V2: the shared queue, the writing counter, one unique id per write.
ALTER TABLE checkins ADD COLUMN uid TEXT;
ALTER TABLE checkins ADD COLUMN counter TEXT NOT NULL DEFAULT '';
ALTER TABLE checkins ADD COLUMN queue_no BIGINT;
CREATE UNIQUE INDEX checkins_uid ON checkins(uid);
ALTER TABLE audit ADD COLUMN uid TEXT;
ALTER TABLE audit ADD COLUMN counter TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_uid ON audit(uid);
CREATE TABLE queue (day TEXT PRIMARY KEY, last BIGINT NOT NULL);
CREATE TABLE maintenance (job TEXT PRIMARY KEY, at BIGINT NOT NULL);
