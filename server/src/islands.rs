//! WASM only where an island works. Every page's head has Leptos's hydration scripts (the
//! bundle's preloads and the module that starts it), since the head is written before the
//! body shows whether the page has an island. A page whose body has none (most pages a
//! visitor reads) loses them here: no WASM, no JavaScript bundle, nothing to hydrate.
//!
//! Pages render whole before they are sent (`SsrMode::Async`), so the body is complete
//! when this looks at it.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

/// What the islands of a page are rendered as (tachys's `ISLAND_TAG`).
const ISLAND: &str = "<leptos-island";
/// The first of the hydration scripts and what ends the last (`leptos::HydrationScripts`).
const SCRIPTS_START: &str = "<link rel=\"modulepreload\"";
const SCRIPTS_END: &str = "</script>";

pub async fn only_where_needed(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match crate::routes::whole_body(body).await {
        Ok(bytes) => bytes,
        Err(failed) => return failed,
    };
    match std::str::from_utf8(&bytes).ok().and_then(without_scripts) {
        Some(page) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(page))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The page without its hydration scripts, if it has them and no island.
fn without_scripts(page: &str) -> Option<String> {
    if page.contains(ISLAND) {
        return None;
    }
    let start = page.find(SCRIPTS_START)?;
    let end = start + page[start..].find(SCRIPTS_END)? + SCRIPTS_END.len();
    // The module script is the one that loads the bundle, and nothing else in between.
    let scripts = &page[start..end];
    if !scripts.contains("<script type=\"module\"") || scripts.matches("<script").count() != 1 {
        return None;
    }
    Some(format!("{}{}", &page[..start], &page[end..]))
}

#[cfg(test)]
mod tests {
    use super::without_scripts;

    const HEAD: &str = "<head><link rel=\"modulepreload\" href=\"/pkg/portal.js\" nonce=\"n\"><link rel=\"preload\" href=\"/pkg/portal.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"n\"><script type=\"module\" nonce=\"n\">start()</script><script src=\"/pwa.js\" defer nonce=\"n\"></script></head>";

    #[test]
    fn a_page_without_islands_loses_the_bundle_and_keeps_its_other_scripts() {
        let page = format!("{HEAD}<body><main>提示</main></body>");
        assert_eq!(
            without_scripts(&page).as_deref(),
            Some(
                "<head><script src=\"/pwa.js\" defer nonce=\"n\"></script></head><body><main>提示</main></body>"
            )
        );
    }

    #[test]
    fn a_page_with_an_island_keeps_it() {
        let page = format!(
            "{HEAD}<body><leptos-island data-component=\"ReadAloudControls\"></leptos-island></body>"
        );
        assert_eq!(without_scripts(&page), None);
    }

    #[test]
    fn anything_unexpected_between_the_markers_is_left_alone() {
        let page = "<link rel=\"modulepreload\" href=\"/x.js\"><script src=\"/a.js\"></script><script type=\"module\">b()</script>";
        assert_eq!(without_scripts(page), None);
    }
}
