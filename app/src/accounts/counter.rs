//! 窗口服务 — the station's counter: `/counter`, where an officer or admin who has the person
//! in front of them issues a one-time reset code or registers a resident on their behalf,
//! and `/reset`, where the resident sets a new password with the code. The rules are in
//! `domain::accounts::counter`; both pages are plain forms that work without JavaScript.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use super::pages::{CommunitySelects, ForRole};
use super::{Role, register_options};
use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// A reset code just issued, for the officer to copy onto a slip for the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownCode {
    /// The whole number: the officer has its owner in front of them.
    pub phone: String,
    pub code: String,
    /// Local time, "2026-12-07 10:00".
    pub expires_at: String,
}

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::header::SET_COOKIE;
    use domain::accounts::counter::IssuedCode;
    use leptos::prelude::use_context;

    use super::ShownCode;
    use crate::error::AppError;
    use crate::state::state;

    /// The cookie that carries a new code from the form's answer to the page that shows it.
    /// The form posts and is redirected (so it works without JavaScript); in the redirect's
    /// address the code would stay in the counter's browser history and in logs for its
    /// 24 hours, for the next person at that screen to read. The cookie is HttpOnly, lives
    /// five minutes and is cleared by the page that shows it: the code is shown once.
    const CODE_COOKIE: &str = "counter_code";
    const CODE_COOKIE_SECONDS: i64 = 300;

    pub fn hand_over(issued: &IssuedCode) -> Result<(), AppError> {
        let state = state()?;
        let response = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Server)?;
        let value = format!(
            "{}.{}.{}",
            issued.phone,
            issued.code,
            issued.expires_at.timestamp()
        );
        let cookie = state
            .cookies
            .set(CODE_COOKIE, &value, Some(CODE_COOKIE_SECONDS))
            .ok_or(AppError::Server)?;
        response.append_header(SET_COOKIE, cookie);
        Ok(())
    }

    /// The code handed over, if any, and the cookie cleared so that it shows only once.
    pub fn take() -> Result<Option<ShownCode>, AppError> {
        let state = state()?;
        let Some(headers) = use_context::<axum::http::request::Parts>().map(|p| p.headers) else {
            return Ok(None);
        };
        let Some(value) = state.cookies.get(&headers, CODE_COOKIE) else {
            return Ok(None);
        };
        let response = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Server)?;
        response.append_header(
            SET_COOKIE,
            state.cookies.clear(CODE_COOKIE).ok_or(AppError::Server)?,
        );
        let mut parts = value.splitn(3, '.');
        let (Some(phone), Some(code), Some(expires)) = (parts.next(), parts.next(), parts.next())
        else {
            return Ok(None);
        };
        let Some(expires_at) = expires
            .parse()
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        else {
            return Ok(None);
        };
        Ok(Some(ShownCode {
            phone: phone.to_owned(),
            code: code.to_owned(),
            expires_at: domain::time::format_local(expires_at),
        }))
    }
}

/// Officers and admins: a one-time reset code for the account of `phone`, shown once on
/// /counter.
#[server(endpoint = "counter/reset-code")]
pub async fn issue_reset_code(phone: String) -> Result<(), AppError> {
    let officer = super::ssr::require_role(domain::accounts::Role::Officer).await?;
    let issued = domain::accounts::counter::issue_reset_code(
        &crate::state::db()?,
        &officer,
        &phone,
        chrono::Utc::now(),
    )
    .await?;
    ssr::hand_over(&issued)?;
    leptos_axum::redirect("/counter?done=code");
    Ok(())
}

/// Officers and admins: register a resident who is at the counter, with their consent
/// given there, and show the reset code they take over the account with.
#[server(endpoint = "counter/register")]
pub async fn register_resident(
    phone: String,
    community: String,
    compound: Option<String>,
    consent: Option<String>,
    witness: String,
) -> Result<(), AppError> {
    use domain::accounts::counter::{self, CounterRegistration};
    let officer = super::ssr::require_role(domain::accounts::Role::Officer).await?;
    let id = |value: &str| value.trim().parse().ok();
    let form = CounterRegistration {
        phone,
        community_id: id(&community),
        compound_id: compound.as_deref().and_then(id),
        consent: consent.is_some(),
        notice_version: super::PRIVACY_NOTICE_VERSION.to_owned(),
        witness,
    };
    let issued =
        counter::register_at_counter(&crate::state::db()?, &officer, form, chrono::Utc::now())
            .await?;
    ssr::hand_over(&issued)?;
    leptos_axum::redirect("/counter?done=registered");
    Ok(())
}

/// Officers and admins: the code just issued, once; `None` afterwards.
#[server(endpoint = "counter/code", input = server_fn::codec::GetUrl)]
pub async fn code_to_show() -> Result<Option<ShownCode>, AppError> {
    super::ssr::require_role(domain::accounts::Role::Officer).await?;
    ssr::take()
}

/// 重置密码: a new password with the code from the counter; every session of the account
/// ends, and the resident signs in anew.
#[server(endpoint = "reset")]
pub async fn reset_password(phone: String, code: String, password: String) -> Result<(), AppError> {
    let address = super::ssr::client_address()
        .ok_or(AppError::Server)?
        .to_string();
    domain::accounts::counter::reset_password(
        &crate::state::db()?,
        &phone,
        &code,
        &password,
        &address,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/login?done=reset");
    Ok(())
}

/// /counter: officers and admins.
#[component]
pub fn CounterPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("counter-title") />
        <h1>{i18n.t("counter-title")}</h1>
        <ForRole role=Role::Officer view=|_| view! { <CounterPanels /> } />
    }
}

#[component]
fn CounterPanels() -> impl IntoView {
    let i18n = use_i18n();
    let shown = Resource::new(|| (), |_| code_to_show());
    let options = Resource::new(|| (), |_| register_options());
    view! {
        <p class="lead">{i18n.t("counter-intro")}</p>
        <DoneNotice prefix="counter-done" />
        <Loaded resource=shown view=|shown| view! { <CodeSlip shown /> } />
        <section class="panel">
            <h2>{i18n.t("counter-reset-title")}</h2>
            <p>{i18n.t("counter-reset-hint")}</p>
            <form method="post" action=IssueResetCode::PATH class="form">
                <CsrfField />
                <FormError path=IssueResetCode::PATH />
                <label>
                    {i18n.t("field-phone")}
                    <input type="tel" name="phone" required inputmode="numeric" maxlength="20" />
                </label>
                <button type="submit" class="button">
                    {i18n.t("counter-reset-submit")}
                </button>
            </form>
        </section>
        <section class="panel">
            <h2>{i18n.t("counter-register-title")}</h2>
            <p>{i18n.t("counter-register-hint")}</p>
            <form method="post" action=RegisterResident::PATH class="form">
                <CsrfField />
                <FormError path=RegisterResident::PATH />
                <label>
                    {i18n.t("field-phone")}
                    <input type="tel" name="phone" required inputmode="numeric" maxlength="20" />
                </label>
                <Loaded resource=options view=|choices| view! { <CommunitySelects choices /> } />
                <label class="check">
                    <input type="checkbox" name="consent" required />
                    <span>
                        {i18n.t("counter-consent")} " " <a href="/privacy" target="_blank">
                            {i18n.t("privacy-title")}
                        </a>
                    </span>
                </label>
                <label>
                    {i18n.t("counter-witness")}
                    <input type="text" name="witness" required maxlength="20" />
                    <small>{i18n.t("counter-witness-hint")}</small>
                </label>
                <button type="submit" class="button">
                    {i18n.t("counter-register-submit")}
                </button>
            </form>
        </section>
    }
}

/// The code just issued, to copy onto a slip: shown this once.
#[component]
fn CodeSlip(shown: Option<ShownCode>) -> impl IntoView {
    let i18n = use_i18n();
    shown.map(|shown| {
        view! {
            <section class="panel" id="code">
                <h2>{i18n.t("counter-code-title")}</h2>
                <dl class="facts">
                    <dt>{i18n.t("field-phone")}</dt>
                    <dd>{shown.phone}</dd>
                    <dt>{i18n.t("counter-code")}</dt>
                    <dd>
                        <code class="invite" data-testid="reset-code">
                            {shown.code}
                        </code>
                    </dd>
                    <dt>{i18n.t("counter-code-until")}</dt>
                    <dd>{shown.expires_at}</dd>
                </dl>
                <p>{i18n.t("counter-code-once")}</p>
                <p>{i18n.t("counter-code-tell")}</p>
            </section>
        }
    })
}

/// /reset: a new password with a code from the counter.
#[component]
pub fn ResetPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("reset-title") />
        <h1>{i18n.t("reset-title")}</h1>
        <p class="lead">{i18n.t("reset-intro")}</p>
        <super::codes::ResetCode />
        <form method="post" action=ResetPassword::PATH class="form">
            <CsrfField />
            <FormError path=ResetPassword::PATH />
            <super::pages::OwnPhoneField />
            <label>
                {i18n.t("reset-code")}
                <input
                    type="text"
                    name="code"
                    required
                    autocomplete="one-time-code"
                    autocapitalize="characters"
                    maxlength="20"
                />
            </label>
            <label>
                {i18n.t("field-new-password")}
                <input
                    type="password"
                    name="password"
                    required
                    minlength="8"
                    autocomplete="new-password"
                /> <small>{i18n.t("field-password-hint")}</small>
            </label>
            <button type="submit" class="button">
                {i18n.t("reset-submit")}
            </button>
        </form>
    }
}
