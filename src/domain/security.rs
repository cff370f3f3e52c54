//! The 等保 2.0 level-3 login profile: password rules, lockout, session timeouts and TOTP.
//!
//! The numbers are the defaults of [`SecurityPolicy`]; the 安全管理员 changes them at run time
//! (they are stored, versioned and audited). GB/T 22239-2019 §8.1.4.1 sets the requirement
//! (complex passwords, login-failure handling, timeouts, two factors for administrators) but no
//! numbers; the defaults follow `reference/security-and-reliability.md` §1.1 and §8 rows 1–7.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::domain::fields::FieldErrors;

/// The security policy in force. Every field is editable by the 安全管理员.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecurityPolicy {
    /// L3-CES1-01 鉴别信息复杂度: minimum password length.
    pub password_min_length: i64,
    /// L3-CES1-01: how many of the four classes (upper, lower, digit, symbol) a password needs.
    pub password_min_classes: i64,
    /// L3-CES1-02 登录失败处理: failures within the window that lock the account.
    pub lockout_threshold: i64,
    /// L3-CES1-02: the window, in minutes, in which failures are counted.
    pub lockout_window_minutes: i64,
    /// L3-CES1-02: how long, in minutes, a locked account stays locked.
    pub lockout_minutes: i64,
    /// L3-CES1-02 登录连接超时自动退出: idle timeout for business users, in minutes.
    pub idle_timeout_minutes: i64,
    /// The same for the three administrators, who hold more power and get less idle time.
    pub admin_idle_timeout_minutes: i64,
    /// Absolute session lifetime in hours, however active the session.
    pub session_max_hours: i64,
    /// L3-CES1-04 双因素: 1 requires every internal user to log in with a TOTP second factor
    /// (each is held at enrolment until done); 0 requires it of the three administrators and
    /// offers it to everyone else.
    pub mfa_for_all: i64,
}

/// The shortest minimum length the 安全管理员 may set: the bureau's 等保 profile rejects
/// passwords under 12 characters (L3-CES1-01; `security-and-reliability.md` §6 and §8 row 4,
/// ASVS 4.0 2.1.1), so the policy may raise the minimum but never lower it below that.
pub const PASSWORD_MIN_LENGTH_FLOOR: i64 = 12;

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            password_min_length: 12,
            password_min_classes: 3,
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 30,
            idle_timeout_minutes: 30,
            admin_idle_timeout_minutes: 15,
            session_max_hours: 12,
            mfa_for_all: 0,
        }
    }
}

impl SecurityPolicy {
    /// Checks a proposed policy. The floors keep the 安全管理员 from switching protection off:
    /// a level-3 system may be made stricter, never weaker than these.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut range = |field: &'static str, value: i64, min: i64, max: i64| {
            if value < min || value > max {
                errors.add(field, "out_of_range", format!("取值范围为 {min} 至 {max}"));
            }
        };
        range("password_min_length", self.password_min_length, PASSWORD_MIN_LENGTH_FLOOR, 64);
        range("password_min_classes", self.password_min_classes, 3, 4);
        range("lockout_threshold", self.lockout_threshold, 3, 10);
        range("lockout_window_minutes", self.lockout_window_minutes, 5, 1440);
        range("lockout_minutes", self.lockout_minutes, 10, 1440);
        range("idle_timeout_minutes", self.idle_timeout_minutes, 5, 30);
        range("admin_idle_timeout_minutes", self.admin_idle_timeout_minutes, 5, 15);
        range("session_max_hours", self.session_max_hours, 1, 24);
        range("mfa_for_all", self.mfa_for_all, 0, 1);
        errors.into_result()
    }

    pub fn idle_timeout(&self, is_admin: bool) -> Duration {
        Duration::minutes(if is_admin { self.admin_idle_timeout_minutes } else { self.idle_timeout_minutes })
    }
}

/// Common passwords refused whatever their length. The list ships with the binary.
const COMMON_PASSWORDS: &str = include_str!("../../data/common-passwords.txt");

/// Checks a new password against the policy and against the user's own name.
pub fn check_password(policy: &SecurityPolicy, password: &str, username: &str) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let length = password.chars().count() as i64;
    if length < policy.password_min_length {
        errors.add(
            "password",
            "password_too_short",
            format!("密码长度不能少于 {} 位", policy.password_min_length),
        );
    }
    if length > 128 {
        errors.add("password", "password_too_long", "密码长度不能超过 128 位");
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count() as i64;
    if classes < policy.password_min_classes {
        errors.add(
            "password",
            "password_too_simple",
            format!("密码须包含大写字母、小写字母、数字、符号中的至少 {} 类", policy.password_min_classes),
        );
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.lines().any(|common| !common.starts_with('#') && lower == common) {
        errors.add("password", "password_common", "该密码过于常见，请更换");
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && lower.contains(&name) {
        errors.add("password", "password_contains_username", "密码不能包含用户名");
    }
    errors.into_result()
}

/// What the account remembers of recent failed logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    pub count: i64,
    pub first_at: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginFailures {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// Records one more failure at `now`. Returns the new state and whether this failure locked
    /// the account. Failures older than the window no longer count.
    pub fn record_failure(self, policy: &SecurityPolicy, now: DateTime<Utc>) -> (Self, bool) {
        let window = Duration::minutes(policy.lockout_window_minutes);
        let (count, first_at) = match self.first_at {
            Some(first) if now - first <= window => (self.count + 1, first),
            _ => (1, now),
        };
        if count >= policy.lockout_threshold {
            let locked = LoginFailures {
                count: 0,
                first_at: None,
                locked_until: Some(now + Duration::minutes(policy.lockout_minutes)),
            };
            (locked, true)
        } else {
            (LoginFailures { count, first_at: Some(first_at), locked_until: self.locked_until }, false)
        }
    }
}

/// Why a session is no longer usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    IdleTimeout,
    MaxLifetime,
}

pub fn session_expiry(
    policy: &SecurityPolicy,
    is_admin: bool,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<SessionEnd> {
    if now - created_at > Duration::hours(policy.session_max_hours) {
        Some(SessionEnd::MaxLifetime)
    } else if now - last_seen_at > policy.idle_timeout(is_admin) {
        Some(SessionEnd::IdleTimeout)
    } else {
        None
    }
}

/// RFC 6238 time step.
pub const TOTP_STEP_SECONDS: i64 = 30;
/// Codes one step either side are accepted, to allow for a phone's clock drift.
pub const TOTP_SKEW_STEPS: i64 = 1;

/// The RFC 6238 code (HMAC-SHA1, 6 digits) for one time step.
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[digest.len() - 1] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 1_000_000
}

pub fn totp_step(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(TOTP_STEP_SECONDS)
}

/// Checks a submitted code. Returns the step it matched, which the caller stores so that the
/// same code cannot be used twice (ASVS V6.5.1); steps at or before `last_used_step` are refused.
pub fn verify_totp(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_used_step: Option<i64>,
) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let submitted: u32 = code.parse().ok()?;
    let current = totp_step(now);
    (current - TOTP_SKEW_STEPS..=current + TOTP_SKEW_STEPS)
        .filter(|step| last_used_step.is_none_or(|last| *step > last))
        .find(|step| totp_code(secret, *step) == submitted)
}

/// RFC 4648 base32 without padding, the form authenticator apps read from an otpauth URI.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn otpauth_uri(issuer: &str, username: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{issuer}:{username}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn five_failures_within_the_window_lock_for_thirty_minutes() {
        let policy = SecurityPolicy::default();
        let mut state = LoginFailures::default();
        for i in 0..4 {
            let (next, locked) = state.record_failure(&policy, at(i));
            assert!(!locked);
            state = next;
        }
        let (state, locked) = state.record_failure(&policy, at(4));
        assert!(locked);
        assert!(state.is_locked(at(33)));
        assert!(!state.is_locked(at(34)));
    }

    #[test]
    fn failures_outside_the_window_start_a_new_count() {
        let policy = SecurityPolicy::default();
        let mut state = LoginFailures::default();
        for minute in [0, 5, 10, 15] {
            state = state.record_failure(&policy, at(minute)).0;
        }
        // Minute 16 is 16 minutes after the first failure: the window restarts.
        let (state, locked) = state.record_failure(&policy, at(16));
        assert!(!locked);
        assert_eq!(state.count, 1);
    }

    #[test]
    fn password_rules_table() {
        let policy = SecurityPolicy::default();
        let cases: &[(&str, Option<&str>)] = &[
            ("Short1!", Some("password_too_short")),
            ("alllowercaseletters", Some("password_too_simple")),
            ("lowercase12345", Some("password_too_simple")),
            ("Lowercase12345", None),
            ("lower case 12345", None),
            ("Passw0rd1234", Some("password_common")),
            ("Zhangwei-2026x", Some("password_contains_username")),
            ("执法为民Aa1!执法为民", None),
            ("Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!", None),
        ];
        for (password, expected) in cases {
            let got =
                check_password(&policy, password, "zhangwei").err().map(|e| e.iter().next().unwrap().code);
            assert_eq!(got, *expected, "{password}");
        }
    }

    #[test]
    fn weakening_the_policy_below_level_three_is_refused() {
        let policy =
            SecurityPolicy { lockout_threshold: 50, idle_timeout_minutes: 120, ..Default::default() };
        let errors = policy.validate().unwrap_err();
        assert_eq!(errors.iter().count(), 2);
    }

    #[test]
    fn totp_matches_rfc6238_vectors() {
        // RFC 6238 Appendix B, SHA-1, with the last 6 digits.
        let secret = b"12345678901234567890";
        assert_eq!(totp_code(secret, 59 / 30), 287082);
        assert_eq!(totp_code(secret, 1111111109 / 30), 81804);
        assert_eq!(totp_code(secret, 2000000000 / 30), 279037);
    }

    #[test]
    fn a_totp_code_is_accepted_once() {
        let secret = b"12345678901234567890";
        let now = at(0);
        let code = format!("{:06}", totp_code(secret, totp_step(now)));
        let step = verify_totp(secret, &code, now, None).unwrap();
        assert_eq!(verify_totp(secret, &code, now, Some(step)), None);
        assert_eq!(verify_totp(secret, &code, now + Duration::minutes(2), None), None);
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }
}
