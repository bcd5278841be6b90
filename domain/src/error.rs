use sea_orm::DbErr;

/// What can go wrong in the domain. The web layer turns each variant into a sentence
/// in the reader's language; the cause goes to the log, never to the page.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    #[error("database: {0}")]
    Db(#[from] DbErr),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
