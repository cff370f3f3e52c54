//! Password hashing and secret tokens.
//!
//! Passwords are hashed with Argon2id. Session cookies and API tokens are 256-bit random
//! values; the database keeps only their SHA-256, so a copy of the database opens no session.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Argon2id cost. The default is the OWASP level (m = 19 MiB, t = 2, p = 1); tests lower it
/// through configuration so that a suite with hundreds of logins stays fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost { memory_kib: 19 * 1024, iterations: 2 }
    }
}

fn argon2(cost: HashCost) -> Argon2<'static> {
    let params =
        Params::new(cost.memory_kib, cost.iterations, 1, None).expect("argon2 parameters are in range");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(cost: HashCost, password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    argon2(cost)
        .hash_password_with_salt(password.as_bytes(), &salt)
        .expect("hashing with a 16-byte salt cannot fail")
        .to_string()
}

/// Checks a password against a stored hash, using the parameters stored with the hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// A hash of a random secret nobody is told: an account waiting for its grantor holds it, so
/// no password opens the account, and verifying against it takes the usual time (a pending
/// account is not told apart by how fast a login fails).
pub fn unusable_hash(cost: HashCost) -> String {
    hash_password(cost, &new_token())
}

/// A hash to verify against when the username is unknown, so that an unknown user and a wrong
/// password take the same time (ASVS V6.3.8: no user enumeration by timing).
pub fn dummy_hash(cost: HashCost) -> String {
    hash_password(cost, "no such user, but the same work")
}

/// A new random token, URL-safe hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// New TOTP secret (160 bits, as RFC 4226 recommends).
pub fn new_totp_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A password for first login: 16 characters from all four classes, without look-alikes.
pub fn one_time_password() -> String {
    use rand::Rng;
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"!@#%*-_+=?";
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
    let mut chars: Vec<char> = Vec::new();
    for set in [UPPER, LOWER, DIGIT, SYMBOL] {
        chars.push(pick(set));
    }
    let all: Vec<u8> = [UPPER, LOWER, DIGIT, SYMBOL].concat();
    while chars.len() < 16 {
        chars.push(pick(&all));
    }
    // Shuffle so the class order does not leak.
    for i in (1..chars.len()).rev() {
        let j = rng.random_range(0..=i);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let cost = HashCost { memory_kib: 256, iterations: 1 };
        let hash = hash_password(cost, "Correct-Horse-9");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Correct-Horse-9", &hash));
        assert!(!verify_password("correct-horse-9", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
