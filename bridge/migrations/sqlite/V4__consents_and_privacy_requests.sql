-- Consent records (who, when, to what, how: Law 91/2025/QH15 art. 9, Decree 356/2025/NĐ-CP
-- art. 6) and the register of data subjects' requests (Decree 356 art. 5). The subject is a keyed
-- hash of the ID number (HMAC-SHA-256 with this database's own key, docs/privacy.md), never the
-- number itself.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uid TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    subject TEXT NOT NULL,
    purpose TEXT NOT NULL,
    recipient TEXT NOT NULL,
    fields TEXT NOT NULL,
    notice_sha256 TEXT NOT NULL,
    method TEXT NOT NULL,
    answer TEXT NOT NULL,
    site TEXT NOT NULL DEFAULT '',
    counter TEXT NOT NULL DEFAULT '',
    clerk TEXT NOT NULL DEFAULT '',
    checkin INTEGER,
    withdrawn_at INTEGER
);
CREATE INDEX consents_subject ON consents(subject);
CREATE TABLE privacy_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    purpose TEXT,
    received_at INTEGER NOT NULL,
    acknowledge_by TEXT NOT NULL,
    due TEXT NOT NULL,
    extended_to TEXT,
    acknowledged_at INTEGER,
    done_at INTEGER,
    result TEXT NOT NULL DEFAULT ''
);
CREATE TABLE site_secret (id INTEGER PRIMARY KEY CHECK (id = 1), key BLOB NOT NULL);
