//! 短信验证码 in the pages, where an SMS provider is configured: the code step of
//! registration, "send me a code" on /reset, and 验证手机号 on 我的. Every form works without
//! JavaScript; every "code sent" answer is the same whether or not the number has an
//! account. The rules are `domain::accounts::codes`.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// Whether codes are in use, and whether the signed-in person's number is proven.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct PhoneCodes {
    pub in_use: bool,
    pub verified: bool,
}

#[server(endpoint = "codes/status", input = server_fn::codec::GetUrl)]
pub async fn code_status() -> Result<PhoneCodes, AppError> {
    let state = crate::state::state()?;
    let me = super::ssr::current_account().await?;
    Ok(PhoneCodes {
        in_use: state.phone_codes,
        verified: me.is_some_and(|(a, _)| a.user.phone_verified_at.is_some()),
    })
}

#[cfg(feature = "ssr")]
fn in_use_and_address() -> Result<(crate::state::AppState, String), AppError> {
    let state = crate::state::state()?;
    if !state.phone_codes {
        return Err(AppError::NotFound);
    }
    let address = super::ssr::client_address()
        .ok_or(AppError::Server)?
        .to_string();
    Ok((state, address))
}

/// Texts a registration code (or, to a registered number, a text saying so).
#[server(endpoint = "register/code")]
pub async fn send_registration_code(phone: String) -> Result<(), AppError> {
    let (state, address) = in_use_and_address()?;
    domain::accounts::codes::send_for_registration(&state.db, &phone, &address, chrono::Utc::now())
        .await?;
    leptos_axum::redirect("/register?done=code-sent#code");
    Ok(())
}

/// Texts a reset code to the number's account, if it has one.
#[server(endpoint = "reset/code")]
pub async fn send_reset_code(phone: String) -> Result<(), AppError> {
    let (state, address) = in_use_and_address()?;
    domain::accounts::codes::send_for_reset(&state.db, &phone, &address, chrono::Utc::now())
        .await?;
    leptos_axum::redirect("/reset?done=code-sent");
    Ok(())
}

/// Texts a code to the signed-in person's own number.
#[server(endpoint = "me/verify-code")]
pub async fn send_verification_code() -> Result<(), AppError> {
    let (account, _) = super::ssr::require_account().await?;
    let (state, address) = in_use_and_address()?;
    domain::accounts::codes::send_for_verification(
        &state.db,
        &account,
        &address,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/me?done=code-sent#verify");
    Ok(())
}

/// Proves the signed-in person's number with the code texted to it.
#[server(endpoint = "me/verify")]
pub async fn verify_phone(code: String) -> Result<(), AppError> {
    let (account, _) = super::ssr::require_account().await?;
    let (state, _) = in_use_and_address()?;
    domain::accounts::codes::verify(&state.db, &account, &code, chrono::Utc::now()).await?;
    leptos_axum::redirect("/me?done=verified#verify");
    Ok(())
}

/// A phone number field and a "send me a code" button posting to `action`.
#[component]
fn SendCode(action: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=action class="form">
            <CsrfField />
            <FormError path=action />
            <super::pages::OwnPhoneField />
            <button type="submit" class="button secondary">
                {i18n.t("code-send")}
            </button>
        </form>
    }
}

/// The code field of a form, where codes are in use.
#[component]
pub fn CodeField(
    /// What the field asks for: a texted code by default.
    #[prop(default = "code-field")]
    label: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label id="code">
            {i18n.t(label)}
            <input
                type="text"
                name="code"
                required
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9 ]*"
                maxlength="8"
            />
        </label>
    }
}

/// Registration's first step, where codes are in use; `then` is the form of the second.
#[component]
pub fn RegistrationCode(status: PhoneCodes) -> impl IntoView {
    let i18n = use_i18n();
    status.in_use.then(|| {
        view! {
            <section class="panel">
                <h2>{i18n.t("code-step-one")}</h2>
                <DoneNotice prefix="code" />
                <p>{i18n.t("code-register-intro")}</p>
                <SendCode action=SendRegistrationCode::PATH />
            </section>
            <h2>{i18n.t("code-step-two")}</h2>
        }
    })
}

/// "Send me a code" on /reset, where codes are in use.
#[component]
pub fn ResetCode() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| code_status());
    view! {
        <Loaded
            resource=status
            view=move |status| {
                status
                    .in_use
                    .then(|| {
                        view! {
                            <section class="panel">
                                <h2>{i18n.t("code-reset-title")}</h2>
                                <DoneNotice prefix="code" />
                                <p>{i18n.t("code-reset-intro")}</p>
                                <SendCode action=SendResetCode::PATH />
                            </section>
                        }
                    })
            }
        />
    }
}

/// 验证手机号 on 我的, where codes are in use and the number is not yet proven.
#[component]
pub fn VerifyPanel() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| code_status());
    view! {
        <Loaded
            resource=status
            view=move |status| {
                (status.in_use)
                    .then(|| {
                        view! {
                            <section class="panel" id="verify">
                                <h2>{i18n.t("code-verify-title")}</h2>
                                <DoneNotice prefix="code" />
                                <FormError path=SendVerificationCode::PATH />
                                <FormError path=VerifyPhone::PATH />
                                {if status.verified {
                                    view! {
                                        <p data-testid="verified">{i18n.t("code-verified-yes")}</p>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <p>{i18n.t("code-verify-intro")}</p>
                                        <form
                                            method="post"
                                            action=SendVerificationCode::PATH
                                            class="inline"
                                        >
                                            <CsrfField />
                                            <button type="submit" class="button secondary">
                                                {i18n.t("code-send")}
                                            </button>
                                        </form>
                                        <form method="post" action=VerifyPhone::PATH class="form">
                                            <CsrfField />
                                            <CodeField />
                                            <button type="submit" class="button">
                                                {i18n.t("code-verify-submit")}
                                            </button>
                                        </form>
                                    }
                                        .into_any()
                                }}
                            </section>
                        }
                    })
            }
        />
    }
}
