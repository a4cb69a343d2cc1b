//! Checking a user name and password against `method_dictionary.auths`.
//!
//! An entry is `user:password`, or `user:hexdigest:algorithm[:salt]` where the
//! digest is `algorithm(password + salt)` (algorithms: md5, sha224, sha256,
//! sha384, sha512). Secrets are compared through their SHA-256 in constant
//! time, so neither their content nor their length shows in the timing.

use md5::Md5;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

use crate::server_config::Dictionary;

/// Whether `password` is the password of `user`.
pub fn check(dictionary: &Dictionary, user: &str, password: &str) -> bool {
    let entry = dictionary
        .auths
        .iter()
        .find(|e| e.split_once(':').is_some_and(|(name, _)| name == user));
    let Some(entry) = entry else {
        // Spend the time a real comparison would, so timing does not tell
        // which users exist.
        let _ = secrets_equal(password, "no such user");
        return false;
    };
    let stored = entry.split_once(':').map_or("", |(_, rest)| rest);
    if secrets_equal(stored, password) {
        return true;
    }
    let mut parts = stored.splitn(3, ':');
    let (Some(digest), Some(algorithm)) = (parts.next(), parts.next()) else {
        return false;
    };
    let salt = parts.next().unwrap_or_default();
    match hex_digest(algorithm, &format!("{password}{salt}")) {
        Some(computed) => secrets_equal(&digest.to_ascii_lowercase(), &computed),
        None => false,
    }
}

/// Equality of two secrets in time independent of their content and length.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}

/// The lower-case hex digest of `text` under a named algorithm.
fn hex_digest(algorithm: &str, text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    Some(match algorithm {
        "md5" => hex::encode(Md5::digest(bytes)),
        "sha224" => hex::encode(Sha224::digest(bytes)),
        "sha256" => hex::encode(Sha256::digest(bytes)),
        "sha384" => hex::encode(Sha384::digest(bytes)),
        "sha512" => hex::encode(Sha512::digest(bytes)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(auths: &[&str]) -> Dictionary {
        Dictionary {
            auths: auths.iter().map(|s| (*s).to_owned()).collect(),
            groups: Default::default(),
        }
    }

    #[test]
    fn plain_passwords() {
        let d = dict(&["root:s3cret", "colon:a:b:c", "empty:"]);
        assert!(check(&d, "root", "s3cret"));
        assert!(!check(&d, "root", "s3cre"));
        assert!(!check(&d, "root", "s3cret "));
        assert!(!check(&d, "Root", "s3cret"));
        assert!(!check(&d, "nobody", "s3cret"));
        assert!(check(&d, "colon", "a:b:c"));
        assert!(check(&d, "empty", ""));
    }

    #[test]
    fn hashed_passwords() {
        let sha = hex::encode(Sha256::digest(b"pwsalt"));
        let md5 = hex::encode(Md5::digest(b"pw"));
        let entries = [
            format!("u1:{sha}:sha256:salt"),
            format!("u2:{}:md5", md5.to_uppercase()),
            format!("u3:{sha}:whirlpool:salt"),
        ];
        let d = dict(&entries.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(check(&d, "u1", "pw"));
        assert!(!check(&d, "u1", "pwsalt"));
        assert!(check(&d, "u2", "pw"));
        assert!(!check(&d, "u3", "pw"), "unknown algorithms never match");
        // The stored text itself is not the password of a hashed entry...
        assert!(!check(&d, "u1", &sha));
        // ...unless the entry is literally that text (then it is plain).
        assert!(check(&d, "u1", &format!("{sha}:sha256:salt")));
    }

    #[test]
    fn the_first_entry_of_a_user_counts() {
        let d = dict(&["a:one", "a:two"]);
        assert!(check(&d, "a", "one"));
        assert!(!check(&d, "a", "two"));
    }
}
