//! Errors that cross from the server to the page. Each variant is something a reader can
//! act on; the cause stays in the server log.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::use_i18n;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Input that breaks a rule; the key names the sentence that explains which.
    #[error("invalid input ({0})")]
    Invalid(String),
    /// Not signed in (or the session ended): the page offers to sign in.
    #[error("not signed in")]
    Unauthorized,
    /// Signed in without the role this needs.
    #[error("forbidden")]
    Forbidden,
    /// Too many attempts; the key explains which limit.
    #[error("throttled ({0})")]
    Throttled(String),
    #[error("server error")]
    Server,
    /// The request never reached the server or its answer could not be read.
    #[error("network error")]
    Network,
}

impl AppError {
    /// A refusal of the reader's input, explained by the sentence under `key`.
    pub fn invalid(key: &str) -> AppError {
        AppError::Invalid(key.to_owned())
    }

    /// The translation key of the sentence shown to the reader.
    pub fn message_key(&self) -> &str {
        match self {
            AppError::NotFound => "error-not-found",
            // The key may come back in a URL after a form post; only known sentences are shown.
            AppError::Invalid(key) | AppError::Throttled(key) if crate::i18n::is_key(key) => key,
            AppError::Invalid(_) | AppError::Throttled(_) => "error-invalid",
            AppError::Unauthorized => "error-unauthorized",
            AppError::Forbidden => "error-forbidden",
            AppError::Server => "error-server",
            AppError::Network => "error-network",
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Server => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Network => StatusCode::BAD_GATEWAY,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments the server could not read are the caller's fault: 422, not 500.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::Invalid("error-invalid".into())
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::Network
            }
            _ => AppError::Server,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::Error> for AppError {
    fn from(error: domain::Error) -> Self {
        match error {
            domain::Error::NotFound => AppError::NotFound,
            domain::Error::Invalid(code) => {
                tracing::info!(code, "refused input");
                AppError::Invalid(code.to_owned())
            }
            domain::Error::Unauthorized => AppError::Unauthorized,
            domain::Error::Forbidden => AppError::Forbidden,
            domain::Error::Throttled(code) => {
                tracing::warn!(code, "throttled");
                AppError::Throttled(code.to_owned())
            }
            domain::Error::Db(cause) => {
                tracing::error!(%cause, "database error");
                AppError::Server
            }
            domain::Error::Internal(cause) => {
                tracing::error!(cause, "system fault");
                AppError::Server
            }
        }
    }
}

/// The page body for an error, with the right HTTP status when rendered on the server.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    let hint = match error {
        AppError::NotFound => Some(view! { <p>{i18n.t("error-not-found-hint")}</p> }.into_any()),
        AppError::Unauthorized => {
            let here = leptos_router::hooks::use_location()
                .pathname
                .get_untracked();
            let href = format!("/login?next={here}");
            Some(
                view! {
                    <p>
                        <a class="button" href=href>
                            {i18n.t("login-title")}
                        </a>
                    </p>
                }
                .into_any(),
            )
        }
        _ => None,
    };
    view! {
        <section class="error" role="alert">
            <h1>{i18n.t("error-title")}</h1>
            <p>{i18n.t(error.message_key())}</p>
            {hint}
            <p>
                <a href="/">{i18n.t("error-go-home")}</a>
            </p>
        </section>
    }
}

/// A resource's view once it has loaded: `view` of its value, or the error page. On the
/// server every route waits for its resources (`SsrMode::Async`), so the loading line
/// only ever shows in a browser.
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, view: F) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || {
            view! { <p>{i18n.t("loading")}</p> }
        }>
            // Erased to `AnyView`: a page's whole view as one concrete type nests deeper than
            // the compiler's query depth allows in test builds.
            {move || {
                let view = view.clone();
                resource.get().map(move |result| or_error(result, view).into_any())
            }}
        </Suspense>
    }
}

/// Shows `view` for a loaded value or the error page for a failed one.
pub fn or_error<T, V: IntoView + 'static>(
    result: Result<T, AppError>,
    view: impl FnOnce(T) -> V,
) -> Either<V, AnyView> {
    match result {
        Ok(value) => Either::Left(view(value)),
        Err(error) => Either::Right(view! { <ErrorView error /> }.into_any()),
    }
}

/// The error a form post came back with when JavaScript is off: the server function
/// redirects to the page with `__path` and `__err` in the query.
#[component]
pub fn FormError(path: &'static str) -> impl IntoView {
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos_router::hooks::use_query_map;

    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let query = query.read();
        (query.get("__path").as_deref() == Some(path)).then(|| {
            let error = query
                .get("__err")
                .map(|e| ServerFnUrlError::<AppError>::decode_err(&e))
                .unwrap_or(AppError::Server);
            view! {
                <p class="form-error" role="alert">
                    {i18n.t(error.message_key())}
                </p>
            }
        })
    }
}

/// The confirmation a form post came back with: the server function redirects to the page
/// with `done=<what>`, shown as the sentence under `<prefix>-<what>`.
#[component]
pub fn DoneNotice(prefix: &'static str) -> impl IntoView {
    use leptos_router::hooks::use_query_map;

    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let key = format!("{prefix}-{}", query.read().get("done")?);
        crate::i18n::is_key(&key).then(|| {
            view! {
                <p class="notice-ok" role="status">
                    {i18n.t(&key)}
                </p>
            }
        })
    }
}
