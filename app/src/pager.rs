//! Long lists a page at a time: the `page` query parameter, previous / next links that work
//! without JavaScript, and query values carried into those links.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::use_i18n;

/// The `page` query parameter, when it is a number.
pub fn page_query() -> Memo<Option<u64>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()))
}

/// Previous / next links; `base` ends in `?` or `&` so `page=` can follow.
#[component]
pub fn Pager(base: String, page: u64, pages: u64) -> impl IntoView {
    let i18n = use_i18n();
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=i18n.t("pager-pages")>
                {(page > 1)
                    .then(|| {
                        view! {
                            <a rel="prev" href=format!("{base}page={}", page - 1)>
                                {i18n.t("pager-prev")}
                            </a>
                        }
                    })}
                <span>{format!("{page} / {pages}")}</span>
                {(page < pages)
                    .then(|| {
                        view! {
                            <a rel="next" href=format!("{base}page={}", page + 1)>
                                {i18n.t("pager-next")}
                            </a>
                        }
                    })}
            </nav>
        }
    })
}

/// Percent-encodes a query value for a link (everything but unreserved ASCII).
pub fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
