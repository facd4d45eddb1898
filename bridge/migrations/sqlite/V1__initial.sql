-- The desk app's first schema (IF NOT EXISTS: databases created before versioned migrations
-- already have these tables and keep their rows).
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkins (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL,
    full_name TEXT, id_number TEXT, date_of_birth TEXT, sex TEXT, address TEXT,
    reason TEXT NOT NULL, service TEXT NOT NULL, verdict TEXT NOT NULL, bhyt TEXT NOT NULL,
    photo BLOB);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, clerk TEXT NOT NULL, action TEXT NOT NULL,
    purpose TEXT, fields TEXT NOT NULL, checkin INTEGER, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS checkins_at ON checkins(at);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
