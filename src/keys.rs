//! The bureau's secret keys, kept in a file outside the database (GB/T 39786 level 3: keys
//! apart from the data they protect).
//!
//! Someone who can change the database cannot forge what these keys sign: the audit chain's
//! checkpoints (`audit verify` compares the chain with them) and the manifests of evidence
//! export packages (`evidence verify-package` checks them). The file holds one key a line,
//! `ID HEX` (32 random bytes), the last line being the key in force; older lines stay so that
//! what they signed still verifies after a rotation. Each use derives its own key from the
//! line's key with HMAC-SM3 and a purpose label, so that a MAC made for one purpose is never
//! valid for another. Secrets the database must hold (TOTP secrets) are sealed with SM4-GCM
//! under such a derived key (GB/T 39786 level 3: confidentiality of important data in storage).

use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};

type HmacSm3 = Hmac<sm3::Sm3>;

/// What a key is used for; each derives a key of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Checkpoints of the audit chain's head.
    AuditCheckpoint,
    /// `manifest.json` of an evidence export package.
    PackageManifest,
    /// Sealing second-factor (TOTP) secrets stored in the database.
    TotpSecret,
    /// `manifest.json` of a backup.
    Backup,
    /// Sealing personal numbers at rest: ID and document numbers, phones, addresses.
    PersonalData,
    /// The keyed digest beside a sealed personal number, for exact search and uniqueness.
    PersonalDigest,
    /// The minute-by-minute sign-in code of a training session.
    TrainingSignIn,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::AuditCheckpoint => b"chengguan audit checkpoint v1",
            Purpose::PackageManifest => b"chengguan package manifest v1",
            Purpose::TotpSecret => b"chengguan totp secret v1",
            Purpose::Backup => b"chengguan backup manifest v1",
            Purpose::PersonalData => b"chengguan personal data v1",
            Purpose::PersonalDigest => b"chengguan personal digest v1",
            Purpose::TrainingSignIn => b"chengguan training sign-in v1",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no key file at {0} (setting `key_file`): create one with `chengguan keys init`, or restore the bureau's key file there"
    )]
    Missing(PathBuf),
    #[error("the key file {path} (setting `key_file`) is not valid: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("the key file {path} already exists; it is never overwritten")]
    Exists { path: PathBuf },
    #[error("key file {path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
}

/// A sealed value that does not open: altered, moved to another row, or sealed under a key
/// the key file no longer holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sealed value does not open (altered, moved, or its key is missing)")]
pub struct Unsealable;

/// Opens a stored TOTP secret: sealed under the key file (bound to the account's username), or
/// a hex plaintext written before secrets were sealed (which `seal_legacy_totp_secrets`
/// seals at the next start).
pub fn open_totp(keys: &Keyring, stored: &str, username: &str) -> Result<Vec<u8>, Unsealable> {
    if stored.starts_with(SEALED_PREFIX) {
        keys.open(Purpose::TotpSecret, stored, username)
    } else {
        hex::decode(stored).map_err(|_| Unsealable)
    }
}

/// Seals a TOTP secret for the account `username`.
pub fn seal_totp(keys: &Keyring, secret: &[u8], username: &str) -> String {
    keys.seal(Purpose::TotpSecret, secret, username)
}

/// The prefix of a value sealed by [`Keyring::seal`].
pub const SEALED_PREFIX: &str = "sm4gcm:";

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

#[derive(Clone)]
struct Key {
    id: String,
    bytes: [u8; 32],
}

/// The keys of one file; the last is the one in force.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    /// Names the key ids, never the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("ids", &self.keys.iter().map(|k| &k.id).collect::<Vec<_>>()).finish()
    }
}

impl Keyring {
    /// Reads the key file. A missing or malformed file is an error that names the setting:
    /// nothing falls back to signing with no key.
    pub fn load(path: &Path) -> Result<Keyring, KeyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyError::Missing(path.to_owned()));
            }
            Err(error) => return Err(KeyError::Io { path: path.to_owned(), error }),
        };
        Keyring::parse(&text).map_err(|reason| KeyError::Invalid { path: path.to_owned(), reason })
    }

    fn parse(text: &str) -> Result<Keyring, String> {
        let mut keys: Vec<Key> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, hex_key) =
                line.split_once(' ').ok_or_else(|| format!("line {}: expected `ID HEX`", n + 1))?;
            let id = id.trim();
            if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                return Err(format!("line {}: a key id is 1–32 letters, digits or dashes", n + 1));
            }
            let bytes: [u8; 32] = hex::decode(hex_key.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| format!("line {}: a key is 64 hexadecimal digits", n + 1))?;
            if keys.iter().any(|k| k.id == id) {
                return Err(format!("line {}: the key id {id} appears twice", n + 1));
            }
            keys.push(Key { id: id.to_owned(), bytes });
        }
        if keys.is_empty() {
            return Err("it holds no key".to_owned());
        }
        Ok(Keyring { keys })
    }

    /// Writes a new key file with one fresh key, readable by its owner only. Refuses to touch
    /// an existing file: a lost key would make every checkpoint and package unverifiable.
    pub fn create(path: &Path, id: &str) -> Result<Keyring, KeyError> {
        let io = |error| KeyError::Io { path: path.to_owned(), error };
        if path.exists() {
            return Err(KeyError::Exists { path: path.to_owned() });
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let text = format!(
            "# chengguan keys: one `ID HEX` a line, the last in force. Keep a copy apart from the\n\
             # database backups: without it no audit checkpoint or export package verifies.\n{id} {}\n",
            hex::encode(bytes)
        );
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Ok(Keyring { keys: vec![Key { id: id.to_owned(), bytes }] })
    }

    /// Loads the file, or creates it when missing (the demo and the tests, never a bureau's
    /// server: there a missing key is an error to fix, not to paper over).
    pub fn load_or_create(path: &Path) -> Result<Keyring, KeyError> {
        match Keyring::load(path) {
            Err(KeyError::Missing(_)) => Keyring::create(path, "k1"),
            other => other,
        }
    }

    /// The id of the key in force.
    pub fn current_id(&self) -> &str {
        &self.keys.last().expect("a keyring holds a key").id
    }

    fn derived(key: &Key, purpose: Purpose) -> HmacSm3 {
        let mut derive = <HmacSm3 as KeyInit>::new_from_slice(&key.bytes).expect("HMAC takes any key length");
        derive.update(purpose.label());
        let sub_key = derive.finalize().into_bytes();
        <HmacSm3 as KeyInit>::new_from_slice(&sub_key).expect("HMAC takes any key length")
    }

    /// HMAC-SM3 of `data` under the key in force for `purpose`: (key id, lower-case hex).
    pub fn sign(&self, purpose: Purpose, data: &[u8]) -> (String, String) {
        let key = self.keys.last().expect("a keyring holds a key");
        let mut mac = Keyring::derived(key, purpose);
        mac.update(data);
        (key.id.clone(), hex::encode(mac.finalize().into_bytes()))
    }

    /// The keyed digest of `value` under the key in force: `KEYID:HEX` (HMAC-SM3), stored beside
    /// a sealed value so it can be found by exact match without being opened.
    pub fn digest(&self, purpose: Purpose, value: &[u8]) -> String {
        let (id, mac) = self.sign(purpose, value);
        format!("{id}:{mac}")
    }

    /// The digests of `value` under every key of the ring: what a search looks for while a
    /// rotation has re-sealed some rows and not yet others.
    pub fn digests(&self, purpose: Purpose, value: &[u8]) -> Vec<String> {
        self.keys
            .iter()
            .map(|key| {
                let mut mac = Keyring::derived(key, purpose);
                mac.update(value);
                format!("{}:{}", key.id, hex::encode(mac.finalize().into_bytes()))
            })
            .collect()
    }

    /// Whether a sealed value or a digest was made under the key in force (rotation skips it).
    pub fn is_current(&self, stored: &str) -> bool {
        let rest = stored.strip_prefix(SEALED_PREFIX).unwrap_or(stored);
        rest.split(':').next() == Some(self.current_id())
    }

    /// Appends a fresh key to the file at `path`, which becomes the key in force, and returns
    /// the new ring. The older keys stay: what they sealed and signed still opens and verifies.
    pub fn add_key(path: &Path) -> Result<Keyring, KeyError> {
        let io = |error| KeyError::Io { path: path.to_owned(), error };
        let mut ring = Keyring::load(path)?;
        let mut n = ring.keys.len() + 1;
        while ring.keys.iter().any(|k| k.id == format!("k{n}")) {
            n += 1;
        }
        let id = format!("k{n}");
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        let mut file = std::fs::OpenOptions::new().append(true).open(path).map_err(io)?;
        std::io::Write::write_all(&mut file, format!("{id} {}\n", hex::encode(bytes)).as_bytes())
            .map_err(io)?;
        file.sync_all().map_err(io)?;
        ring.keys.push(Key { id, bytes });
        Ok(ring)
    }

    /// Whether `mac_hex` is the MAC of `data` under key `key_id` for `purpose` (in constant
    /// time). An unknown key id verifies nothing.
    pub fn verify(&self, purpose: Purpose, key_id: &str, data: &[u8], mac_hex: &str) -> bool {
        let Some(key) = self.keys.iter().find(|k| k.id == key_id) else { return false };
        let Ok(expected) = hex::decode(mac_hex) else { return false };
        let mut mac = Keyring::derived(key, purpose);
        mac.update(data);
        mac.verify_slice(&expected).is_ok()
    }
}

impl Keyring {
    fn cipher(key: &Key, purpose: Purpose) -> Sm4Gcm {
        use aes_gcm::KeyInit as _;
        let derived = Keyring::derived(key, purpose).finalize().into_bytes();
        // SM4 takes 128 bits: the first half of the derived key.
        Sm4Gcm::new_from_slice(&derived[..16]).expect("16 bytes is an SM4 key")
    }

    /// Encrypts `plaintext` with SM4-GCM under the key in force (a fresh 96-bit nonce each
    /// time), bound to `context` (the row it belongs to) as associated data, so that a sealed
    /// value copied to another row does not open there. `sm4gcm:KEYID:NONCE:CIPHERTEXT` (hex).
    pub fn seal(&self, purpose: Purpose, plaintext: &[u8], context: &str) -> String {
        use aes_gcm::aead::{Aead, Payload};
        let key = self.keys.last().expect("a keyring holds a key");
        let mut nonce = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut nonce);
        let sealed = Keyring::cipher(key, purpose)
            .encrypt((&nonce).into(), Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("SM4-GCM encrypts any message under 64 GiB");
        format!("{SEALED_PREFIX}{}:{}:{}", key.id, hex::encode(nonce), hex::encode(sealed))
    }

    /// Opens a value from [`Keyring::seal`] with the same `context`.
    pub fn open(&self, purpose: Purpose, sealed: &str, context: &str) -> Result<Vec<u8>, Unsealable> {
        use aes_gcm::aead::{Aead, Payload};
        let rest = sealed.strip_prefix(SEALED_PREFIX).ok_or(Unsealable)?;
        let mut parts = rest.splitn(3, ':');
        let (Some(id), Some(nonce), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Unsealable);
        };
        let key = self.keys.iter().find(|k| k.id == id).ok_or(Unsealable)?;
        let nonce: [u8; 12] = hex::decode(nonce).ok().and_then(|n| n.try_into().ok()).ok_or(Unsealable)?;
        let body = hex::decode(body).map_err(|_| Unsealable)?;
        Keyring::cipher(key, purpose)
            .decrypt((&nonce).into(), Payload { msg: &body, aad: context.as_bytes() })
            .map_err(|_| Unsealable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sm3_matches_an_independent_implementation() {
        // `printf chengguan | openssl mac -digest SM3 -macopt key:key HMAC` (OpenSSL 3).
        let mut mac = <HmacSm3 as KeyInit>::new_from_slice(b"key").unwrap();
        mac.update(b"chengguan");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "30e3b7d5604e5c04f845925d4d869793e33f0188f21453a8090ef06de7a49b3d"
        );
    }

    #[test]
    fn sm4_gcm_reproduces_rfc_8998_appendix_a1() {
        use aes_gcm::KeyInit as _;
        use aes_gcm::aead::{Aead, Payload};
        let key = hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let nonce = hex::decode("00001234567800000000ABCD").unwrap();
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let plaintext = hex::decode(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let sealed = Sm4Gcm::new_from_slice(&key)
            .unwrap()
            .encrypt(nonce.as_slice().into(), Payload { msg: &plaintext, aad: &aad })
            .unwrap();
        assert_eq!(
            hex::encode_upper(sealed),
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
             D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D\
             83DE3541E4C2B58177E065A9BF7B62EC"
        );
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_row_and_unaltered() {
        let ring = Keyring::parse(&format!("k1 {}\n", "11".repeat(32))).unwrap();
        let sealed = ring.seal(Purpose::TotpSecret, b"secret bytes", "account-1");
        assert!(sealed.starts_with("sm4gcm:k1:"));
        assert!(!sealed.contains(&hex::encode(b"secret bytes")));
        assert_eq!(ring.open(Purpose::TotpSecret, &sealed, "account-1").unwrap(), b"secret bytes");
        assert_eq!(ring.open(Purpose::TotpSecret, &sealed, "account-2"), Err(Unsealable));
        assert_eq!(ring.open(Purpose::PackageManifest, &sealed, "account-1"), Err(Unsealable));
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            ring.open(Purpose::TotpSecret, std::str::from_utf8(&flipped).unwrap(), "account-1"),
            Err(Unsealable)
        );
        // Two seals of one secret differ (fresh nonces); a rotated file still opens the old.
        assert_ne!(sealed, ring.seal(Purpose::TotpSecret, b"secret bytes", "account-1"));
        let rotated = Keyring::parse(&format!("k1 {}\nk2 {}\n", "11".repeat(32), "22".repeat(32))).unwrap();
        assert_eq!(rotated.open(Purpose::TotpSecret, &sealed, "account-1").unwrap(), b"secret bytes");
        assert!(rotated.seal(Purpose::TotpSecret, b"x", "a").starts_with("sm4gcm:k2:"));
    }

    #[test]
    fn a_mac_verifies_under_its_key_and_purpose_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let ring = Keyring::create(&path, "k1").unwrap();
        let (id, mac) = ring.sign(Purpose::AuditCheckpoint, b"seq 7");
        assert!(ring.verify(Purpose::AuditCheckpoint, &id, b"seq 7", &mac));
        assert!(!ring.verify(Purpose::AuditCheckpoint, &id, b"seq 8", &mac));
        assert!(!ring.verify(Purpose::PackageManifest, &id, b"seq 7", &mac));
        assert!(!ring.verify(Purpose::AuditCheckpoint, "k2", b"seq 7", &mac));
        // The file round-trips, is never overwritten, and a rotated file still verifies the old.
        let loaded = Keyring::load(&path).unwrap();
        assert!(loaded.verify(Purpose::AuditCheckpoint, &id, b"seq 7", &mac));
        assert!(matches!(Keyring::create(&path, "k1"), Err(KeyError::Exists { .. })));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&format!("k2 {}\n", "ab".repeat(32)));
        let rotated = Keyring::parse(&text).unwrap();
        assert_eq!(rotated.current_id(), "k2");
        assert!(rotated.verify(Purpose::AuditCheckpoint, "k1", b"seq 7", &mac));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_missing_or_broken_file_is_an_error_naming_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Keyring::load(&dir.path().join("none")).unwrap_err();
        assert!(missing.to_string().contains("key_file"), "{missing}");
        for bad in ["", "k1 abcd\n", "k1\n", "k 1 00\n", &format!("k1 {0}\nk1 {0}\n", "00".repeat(32))] {
            assert!(Keyring::parse(bad).is_err(), "{bad:?}");
        }
    }
}
