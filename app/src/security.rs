//! Cookies and the CSRF token.
//!
//! Every state-changing request must carry the token that this browser's `csrf` cookie
//! holds, as a form field `csrf` (forms render it with [`CsrfField`]) or an `x-csrf-token`
//! header. A page on another site can make the browser post, but cannot read the cookie,
//! so it cannot know the token. The server's CSRF layer checks every POST before any
//! handler runs.

use leptos::prelude::*;

pub const CSRF_FIELD: &str = "csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// This response's CSRF token, provided by the shell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsrfToken(pub String);

/// The hidden field every form carries.
#[component]
pub fn CsrfField() -> impl IntoView {
    let token = use_context::<CsrfToken>().unwrap_or_default().0;
    view! { <input type="hidden" name=CSRF_FIELD value=token /> }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use axum::http::{HeaderMap, HeaderValue, header};

    /// Cookie names and attributes. Over https the names take the `__Host-` prefix, which
    /// browsers only accept from a secure origin without a Domain, so no sibling site can
    /// plant them.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct CookiePolicy {
        pub secure: bool,
    }

    impl CookiePolicy {
        pub fn name(self, base: &str) -> String {
            if self.secure {
                format!("__Host-{base}")
            } else {
                base.to_owned()
            }
        }

        /// `Set-Cookie` for `base=value`, HttpOnly and SameSite=Lax; `max_age` in seconds, or
        /// a browser-session cookie when `None`.
        pub fn set(self, base: &str, value: &str, max_age: Option<i64>) -> Option<HeaderValue> {
            let mut cookie = format!(
                "{}={value}; Path=/; HttpOnly; SameSite=Lax",
                self.name(base)
            );
            if let Some(age) = max_age {
                cookie.push_str(&format!("; Max-Age={age}"));
            }
            if self.secure {
                cookie.push_str("; Secure");
            }
            HeaderValue::from_str(&cookie).ok()
        }

        pub fn clear(self, base: &str) -> Option<HeaderValue> {
            self.set(base, "", Some(0))
        }

        pub fn get(self, headers: &HeaderMap, base: &str) -> Option<String> {
            cookie(headers, &self.name(base))
        }
    }

    pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }

    /// The token the browser's CSRF cookie holds, if it is one this server made (a new
    /// page gives a browser without one a new token).
    pub fn cookie_token(cookies: CookiePolicy, headers: &HeaderMap) -> Option<String> {
        cookies
            .get(headers, super::CSRF_FIELD)
            .filter(|t| t.len() == 64)
    }

    /// The browser's CSRF token for the page being rendered: the one its cookie holds, or a
    /// new one, set in a cookie now.
    pub fn page_token() -> super::CsrfToken {
        use leptos::prelude::use_context;

        let Ok(state) = crate::state::state() else {
            return super::CsrfToken::default();
        };
        let headers = use_context::<axum::http::request::Parts>()
            .map(|p| p.headers)
            .unwrap_or_default();
        if let Some(token) = cookie_token(state.cookies, &headers) {
            return super::CsrfToken(token);
        }
        let token = match domain::accounts::random_token() {
            Ok(token) => token,
            Err(e) => {
                tracing::error!(%e, "cannot make a CSRF token; the page's forms will be refused");
                return super::CsrfToken::default();
            }
        };
        if let (Some(response), Some(cookie)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            state.cookies.set(super::CSRF_FIELD, &token, None),
        ) {
            response.append_header(header::SET_COOKIE, cookie);
        }
        super::CsrfToken(token)
    }

    /// Equal-time comparison: how long it takes says nothing about how much matched.
    pub fn same(a: &str, b: &str) -> bool {
        a.len() == b.len()
            && a.bytes()
                .zip(b.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }
}
