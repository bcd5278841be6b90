use sea_orm::DbErr;

/// What can go wrong in the domain. The web layer turns each variant into a sentence
/// in the reader's language; the cause goes to the log, never to the page.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// Input that breaks a rule. The code names the rule and doubles as the translation
    /// key of the sentence that explains it (`app/locales/*.ftl`).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// Not signed in, or the session has ended.
    #[error("not signed in")]
    Unauthorized,
    /// Signed in, but without a role this action needs.
    #[error("forbidden")]
    Forbidden,
    /// Too many attempts; the code explains which limit.
    #[error("throttled: {0}")]
    Throttled(&'static str),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    /// A fault of the system, not of the input (no randomness, hashing failed): the person
    /// reads "something went wrong on our side", the log reads what.
    #[error("internal: {0}")]
    Internal(&'static str),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
