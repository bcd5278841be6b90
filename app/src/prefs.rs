//! The reader's display preferences: language, text size (three) and high contrast. Kept in
//! cookies so that they persist without an account, and read on the server so the first
//! HTML is right.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::{I18n, Locale, use_i18n};

pub const LANG_COOKIE: &str = "lang";
pub const TEXT_COOKIE: &str = "text";
pub const CONTRAST_COOKIE: &str = "contrast";

/// The text sizes, each the class `<html>` carries (none for the normal size).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextSize {
    #[default]
    Normal,
    Large,
    Larger,
}

impl TextSize {
    pub fn as_str(self) -> &'static str {
        match self {
            TextSize::Normal => "normal",
            TextSize::Large => "large",
            TextSize::Larger => "larger",
        }
    }

    pub fn parse(text: &str) -> Option<TextSize> {
        [TextSize::Normal, TextSize::Large, TextSize::Larger]
            .into_iter()
            .find(|size| size.as_str() == text)
    }

    /// What the switch gives next: larger, then back to normal.
    pub fn next(self) -> TextSize {
        match self {
            TextSize::Normal => TextSize::Large,
            TextSize::Large => TextSize::Larger,
            TextSize::Larger => TextSize::Normal,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    pub locale: Locale,
    pub text: TextSize,
    /// The high-contrast theme.
    pub contrast: bool,
}

impl Prefs {
    /// Cookies first, then the browser's `Accept-Language`, then zh-CN.
    #[cfg(feature = "ssr")]
    pub fn from_headers(
        headers: &axum::http::HeaderMap,
        cookies: crate::security::ssr::CookiePolicy,
    ) -> Prefs {
        use axum::http::header::ACCEPT_LANGUAGE;
        let locale = cookies
            .get(headers, LANG_COOKIE)
            .and_then(|tag| Locale::from_tag(&tag))
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Locale::from_accept_language)
            })
            .unwrap_or_default();
        Prefs {
            locale,
            text: cookies
                .get(headers, TEXT_COOKIE)
                .as_deref()
                .and_then(TextSize::parse)
                .unwrap_or_default(),
            contrast: cookies.get(headers, CONTRAST_COOKIE).as_deref() == Some("on"),
        }
    }

    /// The preferences of the request being rendered.
    pub fn current() -> Prefs {
        #[cfg(feature = "ssr")]
        if let (Some(parts), Ok(state)) = (
            use_context::<axum::http::request::Parts>(),
            crate::state::state(),
        ) {
            return Prefs::from_headers(&parts.headers, state.cookies);
        }
        Prefs::default()
    }
}

/// Stores a preference. Posted by a plain form, which works without JavaScript: the server
/// redirects back to the page.
#[server(endpoint = "prefs")]
pub async fn set_prefs(
    lang: Option<String>,
    text: Option<String>,
    contrast: Option<String>,
) -> Result<(), AppError> {
    use axum::http::header::SET_COOKIE;

    let policy = crate::state::state()?.cookies;
    let response = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Server)?;
    let year = Some(60 * 60 * 24 * 365);
    let mut cookies = Vec::new();
    if let Some(lang) = lang {
        let locale = Locale::from_tag(&lang).ok_or_else(|| AppError::invalid("error-invalid"))?;
        cookies.push(policy.set(LANG_COOKIE, locale.tag(), year));
    }
    if let Some(text) = text {
        let size = TextSize::parse(&text).ok_or_else(|| AppError::invalid("error-invalid"))?;
        cookies.push(policy.set(TEXT_COOKIE, size.as_str(), year));
    }
    if let Some(contrast) = contrast {
        if !matches!(contrast.as_str(), "on" | "off") {
            return Err(AppError::invalid("error-invalid"));
        }
        cookies.push(policy.set(CONTRAST_COOKIE, &contrast, year));
    }
    for cookie in cookies {
        response.append_header(SET_COOKIE, cookie.ok_or(AppError::Server)?);
    }
    Ok(())
}

/// A one-button form that switches to the other language (a full reload re-renders
/// every string on the server).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=SetPrefs::PATH class="pref-form">
            <crate::security::CsrfField />
            <input type="hidden" name="lang" value=i18n.locale.other().tag() />
            <button type="submit" class="pref" lang=i18n.locale.other().tag()>
                {i18n.t("prefs-switch-language")}
            </button>
        </form>
    }
}

/// The high-contrast switch: a one-button form, like the language switch.
#[component]
pub fn ContrastSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let on = use_context::<Prefs>().unwrap_or_default().contrast;
    view! {
        <form method="post" action=SetPrefs::PATH class="pref-form">
            <crate::security::CsrfField />
            <input type="hidden" name="contrast" value=if on { "off" } else { "on" } />
            <button type="submit" class="pref" aria-pressed=on.to_string()>
                {i18n.t("prefs-contrast")}
            </button>
        </form>
    }
}

/// The text-size switch: normal, large, larger, and back. A one-button form like the
/// others, not an island: in place it would save a reload, at the price of the whole WASM
/// bundle on every page that has no other island.
#[component]
pub fn TextSizeSwitch() -> impl IntoView {
    let i18n: I18n = use_i18n();
    let next = use_context::<Prefs>().unwrap_or_default().text.next();
    // The button names what a press gives.
    let label = match next {
        TextSize::Large => "prefs-large-text",
        TextSize::Larger => "prefs-larger-text",
        TextSize::Normal => "prefs-normal-text",
    };
    view! {
        <form method="post" action=SetPrefs::PATH class="pref-form">
            <crate::security::CsrfField />
            <input type="hidden" name="text" value=next.as_str() />
            <button type="submit" class="pref">
                {i18n.t(label)}
            </button>
        </form>
    }
}
