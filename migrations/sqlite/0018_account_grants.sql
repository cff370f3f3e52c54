-- 0018 granting roles is not the system administrator's alone (等保 2.0 L3-CES1-08, 三权分立):
-- an account the 系统管理员 creates, or whose password it resets, waits for its grantor — the
-- 安全管理员 for an administrator account (the 审计管理员 for a security administrator's), the
-- 领导小组办公室 for business roles — who issues the one-time password. Until then nobody can log
-- in with it. `grant_pending` is '' (granted), 'create' or 'reset'; `grant_requested_by` the
-- username that asked.

ALTER TABLE accounts ADD COLUMN grant_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN grant_requested_by TEXT NOT NULL DEFAULT '';
