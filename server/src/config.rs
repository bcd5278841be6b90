//! Configuration from the environment, with the defaults the README documents.

use leptos::config::LeptosOptions;

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: SQLite file by default, or `postgres://…`.
    pub database_url: String,
    /// `PORTAL_SECRET_KEY`: signs what the portal hands out; generated and stored in the
    /// database on first start when unset, so several processes share one key.
    pub secret_key: Option<String>,
    /// `PORTAL_LOG_FORMAT=json` for machine-read logs; human-readable otherwise.
    pub json_logs: bool,
    /// `LEPTOS_SITE_ADDR`, `LEPTOS_SITE_ROOT`, … as read by Leptos.
    pub leptos: LeptosOptions,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let leptos = leptos::config::get_configuration(None)
            .map_err(|e| format!("Leptos configuration: {e}"))?
            .leptos_options;
        Ok(Config {
            database_url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| domain::db::DEFAULT_DATABASE_URL.to_owned()),
            secret_key: std::env::var("PORTAL_SECRET_KEY")
                .ok()
                .filter(|k| !k.is_empty()),
            json_logs: std::env::var("PORTAL_LOG_FORMAT").is_ok_and(|f| f == "json"),
            leptos,
        })
    }
}
