//! Passwords: argon2id hashes, and a refusal of the passwords guessed first.
//!
//! argon2 takes tens of milliseconds of CPU and 19 MiB on purpose. Run on tokio's async
//! workers, a handful of sign-ins would stall every page; so it runs on threads of its own,
//! at most `AT_ONCE` hashes at a time, and the rest wait their turn without holding a thread.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

use crate::Error;

/// Hashes computed at the same time: two keep sign-in responsive on the two-core machines a
/// station runs, while leaving cores for the pages (and bound argon2's memory to 2 × 19 MiB).
pub const AT_ONCE: usize = 2;

/// The hashes allowed to run now; a permit is held for as long as argon2 runs, even when
/// the request that asked for it has gone away.
pub(crate) static HASHERS: Semaphore = Semaphore::const_new(AT_ONCE);

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// The passwords tried first in guessing attacks, as leaked lists rank them for Chinese
/// and international sites (lower case; the check ignores case).
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "987654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "99999999",
    "12341234",
    "11223344",
    "123123123",
    "147258369",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "a12345678",
    "a123456789",
    "aa123456",
    "abc12345",
    "abcd1234",
    "abc123456",
    "asd12345",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "qwertyui",
    "qwerty123",
    "qwe12345",
    "qweasdzxc",
    "iloveyou",
    "woaini1314",
    "woaini520",
    "5201314520",
    "52013145",
    "1314520520",
    "zhang123",
    "wang1234",
    "li123456",
    "admin123",
    "admin888",
    "administrator",
    "welcome1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon123",
    "monkey123",
    "letmein1",
    "trustno1",
    "superman",
    "computer",
    "internet",
    "zxcvbnm1",
    "asdfghjk",
    "asdfasdf",
    "qazwsxedc",
    "1234qwer",
    "qwer1234",
    "12qwaszx",
    "q1w2e3r4",
    "zaq12wsx",
    "123456aa",
    "123456abc",
    "a1b2c3d4",
    "7758521a",
    "woaiwojia",
    "jiajingwu",
];

/// Why a new password is refused, as a translation key; `None` when it is acceptable.
pub fn weakness(password: &str, phone: &str) -> Option<&'static str> {
    let lower = password.to_lowercase();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Some("account-password-short")
    } else if length > MAX_LENGTH {
        Some("account-password-long")
    } else if COMMON.contains(&lower.as_str())
        || lower.chars().all(|c| lower.starts_with(c))
        || is_run(&lower)
        || (!phone.is_empty() && lower.contains(phone))
    {
        Some("account-password-common")
    } else {
        None
    }
}

/// 12345678, 98765432, abcdefgh: a run of consecutive characters.
fn is_run(password: &str) -> bool {
    let codes: Vec<u32> = password.chars().map(u32::from).collect();
    let up = codes.windows(2).all(|w| w[1] == w[0] + 1);
    let down = codes.windows(2).all(|w| w[0] == w[1] + 1);
    up || down
}

/// Runs `work` on a thread of its own once one of the `AT_ONCE` permits is free. The thread
/// ends with the work, and argon2's 19 MiB go back to the system with it: a thread of tokio's
/// blocking pool kept them for its next task, 27 MB of a server's memory after a few sign-ins.
/// A thread that panicked is a fault of the system, never a wrong password.
pub(crate) async fn off_the_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> crate::Result<T> {
    let permit = HASHERS
        .acquire()
        .await
        .map_err(|_| Error::Internal("the password hashing semaphore is closed"))?;
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("argon2".into())
        .spawn(move || {
            let _running = permit;
            // The one waiting may have gone away; the permit is held to the end regardless.
            let _ = done.send(work());
        })
        .map_err(|e| {
            tracing::error!(%e, "starting a password hashing thread");
            Error::Internal("password hashing thread")
        })?;
    result.await.map_err(|_| {
        tracing::error!("password hashing thread failed");
        Error::Internal("password hashing task failed")
    })
}

/// An argon2id hash (the crate's default parameters: 19 MiB, 2 passes) in PHC form.
pub async fn hash(password: &str) -> crate::Result<String> {
    let password = password.to_owned();
    off_the_workers(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> crate::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| {
        tracing::error!(%e, "no randomness for a password salt");
        Error::Internal("the system has no source of randomness")
    })?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| {
        tracing::error!(%e, "encoding a password salt");
        Error::Internal("password salt")
    })?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(%e, "hashing a password");
            Error::Internal("password hashing failed")
        })
}

/// Whether `password` matches `hash`; `Err` only when the system failed to tell.
pub async fn verify(password: &str, hash: &str) -> crate::Result<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    off_the_workers(move || verify_now(&password, &hash)).await
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_common_and_guessable_passwords() {
        assert_eq!(weakness("short", ""), Some("account-password-short"));
        assert_eq!(weakness("Password", ""), Some("account-password-common"));
        assert_eq!(weakness("woaini1314", ""), Some("account-password-common"));
        assert_eq!(weakness("aaaaaaaaaa", ""), Some("account-password-common"));
        assert_eq!(weakness("23456789", ""), Some("account-password-common"));
        assert_eq!(
            weakness("x13812341234", "13812341234"),
            Some("account-password-common")
        );
        assert_eq!(
            weakness("茶楼里喝茶聊天真好", ""),
            None,
            "Chinese passphrases are fine"
        );
        assert_eq!(weakness("haitian-xiongzhen", ""), None);
    }

    #[test]
    fn the_equal_time_dummy_is_a_real_argon2id_hash() {
        assert!(
            PasswordHash::new(super::super::DUMMY_HASH).is_ok(),
            "else unknown numbers fail fast"
        );
    }

    fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
    }

    #[test]
    fn hashes_with_argon2id_and_verifies() -> Result<(), Box<dyn std::error::Error>> {
        runtime()?.block_on(async {
            let hash = hash("haitian-xiongzhen").await?;
            assert!(hash.starts_with("$argon2id$"));
            assert!(verify("haitian-xiongzhen", &hash).await?);
            assert!(!verify("haitian-xiongzhen!", &hash).await?);
            assert!(!verify("anything", "not a hash").await?);
            Ok(())
        })
    }

    #[test]
    fn a_hashing_task_that_fails_is_a_system_fault_not_a_wrong_password()
    -> Result<(), Box<dyn std::error::Error>> {
        runtime()?.block_on(async {
            let failed = off_the_workers(|| -> bool { panic!("argon2 blew up") }).await;
            assert!(
                matches!(&failed, Err(crate::Error::Internal(_))),
                "{failed:?}"
            );
            let every_permit = HASHERS.acquire_many(AT_ONCE as u32);
            assert!(
                tokio::time::timeout(std::time::Duration::from_secs(60), every_permit)
                    .await
                    .is_ok(),
                "the failed task gave its permit back"
            );
            Ok(())
        })
    }
}
