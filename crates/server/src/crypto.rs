//! Randomness, hashes and slow hashes in one place, so every secret goes through a
//! reviewed path: tokens and codes from the OS CSPRNG, PINs and override codes under
//! argon2, tokens stored as SHA-256, code MACs as HMAC-SHA256.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random number generator is unavailable");
    buf
}

/// A uniformly random number below `bound` (rejection sampling: no modulo bias).
pub fn random_below(bound: u32) -> u32 {
    let zone = u32::MAX - (u32::MAX % bound);
    loop {
        let v = u32::from_le_bytes(random_bytes::<4>());
        if v < zone {
            return v % bound;
        }
    }
}

/// An unguessable bearer token (256 bits, hex).
pub fn new_token() -> String {
    hex::encode(random_bytes::<32>())
}

/// A unique id with a readable prefix, e.g. `red_5f0c…` (96 random bits).
/// A random (version 4) UUID: request ids unique across server instances.
pub fn new_uuid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex::encode(random_bytes::<12>()))
}

/// A unique id that sorts by creation time (48-bit milliseconds, then 80 random bits), so
/// busy tables append to their index instead of touching a random page per insert.
pub fn new_sequential_id(prefix: &str, now_ms: i64) -> String {
    let ms = (now_ms.max(0) as u64) & 0xFFFF_FFFF_FFFF;
    format!("{prefix}_{ms:012x}{}", hex::encode(random_bytes::<10>()))
}

/// How a printed voucher is found: the SHA-256 of its code as printed
/// (`contract::vouchers::canonical`), so the code itself is never stored.
pub fn voucher_code_hash(code: &str) -> String {
    sha256_hex(
        contract::vouchers::canonical(code)
            .unwrap_or_default()
            .as_bytes(),
    )
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

type HmacSha256 = Hmac<Sha256>;

/// The server secret that keys code MACs. Never printed: `Debug` is redacted.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Result<Secret, String> {
        if bytes.len() < 16 {
            return Err("the OTP secret must be at least 16 bytes".into());
        }
        Ok(Secret(bytes))
    }
    pub fn random() -> Secret {
        Secret(random_bytes::<32>().to_vec())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The key of the audit chain and its checkpoints (S7): separate from the code secret, so
/// whoever can read codes' MACs cannot forge the log, and the other way round. Never printed.
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl AuditKey {
    pub fn new(bytes: Vec<u8>) -> Result<AuditKey, String> {
        if bytes.len() < 16 {
            return Err("the audit key must be at least 16 bytes".into());
        }
        Ok(AuditKey(bytes))
    }
    pub fn random() -> AuditKey {
        AuditKey(random_bytes::<32>().to_vec())
    }
    /// Whether it is the same as the code secret (refused: the two must be separate).
    pub fn same_as(&self, secret: &Secret) -> bool {
        self.0 == secret.0
    }
    /// HMAC-SHA256 of the parts (each followed by a newline), hex.
    pub fn mac_hex(&self, parts: &[&[u8]]) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p);
            mac.update(b"\n");
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

/// HMAC-SHA256(secret, redemption id ‖ code), hex (S2).
pub fn code_mac(secret: &Secret, redemption_id: &str, code: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(&secret.0).expect("HMAC takes any key length");
    mac.update(redemption_id.as_bytes());
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `code` matches the stored MAC, compared in constant time (S2).
pub fn code_matches(
    secret: &Secret,
    redemption_id: &str,
    code: &str,
    stored_mac_hex: &str,
) -> bool {
    let Ok(expected) = hex::decode(stored_mac_hex) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(&secret.0).expect("HMAC takes any key length");
    mac.update(redemption_id.as_bytes());
    mac.update(code.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

/// Argon2id with a random salt, as a PHC string (S8, PINs).
pub fn slow_hash(secret: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Checks a secret against an argon2 PHC string. Slow by design: call off the async runtime.
pub fn slow_verify(secret: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// An argon2 hash to compare against when the staff code is unknown, so a wrong staff code
/// costs as long as a wrong PIN and does not reveal which codes exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| slow_hash("decoy"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_voucher_is_found_however_its_code_was_typed_or_scanned() {
        assert_eq!(
            voucher_code_hash("rgv abcd efgh jk23"),
            voucher_code_hash("RGV-ABCD-EFGH-JK23")
        );
        assert_ne!(
            voucher_code_hash("RGV-ABCD-EFGH-JK23"),
            voucher_code_hash("RGV-ABCD-EFGH-JK24")
        );
    }

    #[test]
    fn macs_bind_id_and_code_and_compare() {
        let s = Secret::random();
        let m = code_mac(&s, "red_1", "123456");
        assert!(code_matches(&s, "red_1", "123456", &m));
        assert!(!code_matches(&s, "red_1", "123457", &m));
        assert!(!code_matches(&s, "red_2", "123456", &m));
        assert!(!code_matches(&Secret::random(), "red_1", "123456", &m));
        assert!(!format!("{s:?}").contains(&hex::encode(&s.0)));
    }

    #[test]
    fn slow_hashes_verify_and_are_salted() {
        let a = slow_hash("1234");
        let b = slow_hash("1234");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(slow_verify("1234", &a));
        assert!(!slow_verify("1235", &a));
    }

    #[test]
    fn random_below_stays_in_range() {
        for _ in 0..1000 {
            assert!(random_below(10) < 10);
        }
        assert_ne!(new_token(), new_token());
    }
}
