-- 0030 Open311 GeoReport v2 clients (issue 17, scope 6): the citizen apps that may post service
-- requests, each with its API key stored as a SHA-256 hash (the key itself is shown once, by
-- `chengguan open311 key create`), issued and revoked by the system administrator, audited.

CREATE TABLE open311_clients (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
