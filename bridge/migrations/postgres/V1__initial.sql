-- The desk app's first schema, as on SQLite (migrations/sqlite/V1__initial.sql).
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE checkins (
    id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, clerk TEXT NOT NULL,
    full_name TEXT, id_number TEXT, date_of_birth TEXT, sex TEXT, address TEXT,
    reason TEXT NOT NULL, service TEXT NOT NULL, verdict TEXT NOT NULL, bhyt TEXT NOT NULL,
    photo BYTEA);
CREATE TABLE audit (
    id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, clerk TEXT NOT NULL, action TEXT NOT NULL,
    purpose TEXT, fields TEXT NOT NULL, checkin BIGINT, detail TEXT NOT NULL);
CREATE INDEX checkins_at ON checkins(at);
CREATE INDEX audit_at ON audit(at);
