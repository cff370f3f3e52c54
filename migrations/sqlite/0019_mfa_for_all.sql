-- 0019 the security policy may require the second factor of every internal user, not only the
-- three administrators (等保 2.0 L3-CES1-04: two or more authentication techniques, one of them
-- cryptographic). 0 (default): offered to all, required of administrators; 1: required of all.

ALTER TABLE security_policy ADD COLUMN mfa_for_all INTEGER NOT NULL DEFAULT 0;
