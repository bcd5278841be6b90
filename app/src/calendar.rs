//! 我的日历 on 我的: the person's secret calendar address — made, shown for copying or
//! subscribing, renewed (the old one stops working) and turned off. The feed itself and the
//! one-event downloads are plain routes of the server (`server/src/calendar.rs`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// The signed-in person's calendar address, if they made one.
#[server(endpoint = "calendar")]
pub async fn my_calendar() -> Result<Option<String>, AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let state = crate::state::state()?;
    Ok(domain::calendar::feed_of(&state.db, account.user.id)
        .await?
        .map(|feed| {
            format!(
                "{}/calendar/{}.ics",
                state.public_url.trim_end_matches('/'),
                feed.token
            )
        }))
}

/// `make` (a first or a new address, in the page's language) or `stop`.
#[server(endpoint = "calendar/address")]
pub async fn calendar_address(action: String) -> Result<(), AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let done = match action.as_str() {
        "make" => {
            let lang = crate::prefs::Prefs::current().locale.tag();
            domain::calendar::renew_feed(&db, account.user.id, lang, chrono::Utc::now()).await?;
            "made"
        }
        "stop" => {
            domain::calendar::stop_feed(&db, account.user.id).await?;
            "stopped"
        }
        _ => return Err(AppError::invalid("error-invalid")),
    };
    leptos_axum::redirect(&format!("/me?done={done}#calendar"));
    Ok(())
}

/// The panel on 我的.
#[component]
pub fn CalendarPanel() -> impl IntoView {
    let i18n = use_i18n();
    let address = Resource::new(|| (), |_| my_calendar());
    let button = move |action: &'static str, key: &'static str, class: &'static str| {
        view! {
            <form method="post" action=CalendarAddress::PATH class="inline">
                <CsrfField />
                <input type="hidden" name="action" value=action />
                <button type="submit" class=class>
                    {i18n.t(key)}
                </button>
            </form>
        }
    };
    view! {
        <section class="panel" id="calendar">
            <h2>{i18n.t("calendar-title")}</h2>
            <DoneNotice prefix="calendar" />
            <FormError path=CalendarAddress::PATH />
            <p>{i18n.t("calendar-intro")}</p>
            <Loaded
                resource=address
                view=move |address| match address {
                    Some(url) => {
                        let webcal = url
                            .split_once("://")
                            .map_or(url.clone(), |(_, rest)| format!("webcal://{rest}"));
                        view! {
                            <label>
                                {i18n.t("calendar-address")}
                                <input
                                    type="text"
                                    readonly
                                    value=url
                                    data-testid="calendar-address"
                                    class="copyable"
                                />
                            </label>
                            <p class="actions">
                                <a class="button" href=webcal>
                                    {i18n.t("calendar-subscribe")}
                                </a>
                                {button("make", "calendar-renew", "button secondary")}
                                {button("stop", "calendar-stop", "button secondary")}
                            </p>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <p>{i18n.t("calendar-none")}</p>
                            <p class="actions">{button("make", "calendar-make", "button")}</p>
                        }
                            .into_any()
                    }
                }
            />
        </section>
    }
}
