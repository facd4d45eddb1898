-- Several counters: the shared queue (one number sequence a day), which counter wrote a row,
-- and a unique id per write so that a write retried after a lost connection is stored once.
ALTER TABLE checkins ADD COLUMN uid TEXT;
ALTER TABLE checkins ADD COLUMN counter TEXT NOT NULL DEFAULT '';
ALTER TABLE checkins ADD COLUMN queue_no INTEGER;
CREATE UNIQUE INDEX checkins_uid ON checkins(uid);
ALTER TABLE audit ADD COLUMN uid TEXT;
ALTER TABLE audit ADD COLUMN counter TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_uid ON audit(uid);
CREATE TABLE queue (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE maintenance (job TEXT PRIMARY KEY, at INTEGER NOT NULL);
