//! What server functions reach on the server: the database and the options, handed in
//! through context by the router and the server-function handler alike.

use leptos::prelude::*;

use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: domain::DatabaseConnection,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The database pool; an error (not a panic) if the context is missing.
pub fn db() -> Result<domain::DatabaseConnection, AppError> {
    use_context::<AppState>().map(|s| s.db).ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Server
    })
}
