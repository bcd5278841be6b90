//! /volunteers/help — 老乡帮老乡: ask for a volunteer who speaks your dialect; volunteers
//! who speak it take the request and close it with a note.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpCard {
    pub id: i32,
    pub dialect: String,
    pub need: String,
    pub place: String,
    pub status: String,
    pub note: Option<String>,
    pub at: String,
    /// I took it (rather than asked for it).
    pub took: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpInfo {
    pub mine: Vec<HelpCard>,
    /// Open requests in a dialect I speak, for volunteers.
    pub open: Vec<HelpCard>,
}

#[cfg(feature = "ssr")]
fn card(r: domain::entities::help_request::Model, me: i32) -> HelpCard {
    HelpCard {
        id: r.id,
        took: r.taker_id == Some(me),
        dialect: r.dialect,
        need: r.need,
        place: r.place,
        status: r.status,
        note: r.note,
        at: domain::time::format_local(r.created_at),
    }
}

#[server(endpoint = "volunteers/help")]
pub async fn help_view() -> Result<HelpInfo, AppError> {
    use domain::volunteers::help;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let id = me.user.id;
    Ok(HelpInfo {
        mine: help::mine(&db, &me)
            .await?
            .into_iter()
            .map(|r| card(r, id))
            .collect(),
        open: help::open_for(&db, &me)
            .await?
            .into_iter()
            .map(|r| card(r, id))
            .collect(),
    })
}

#[server(endpoint = "volunteers/help/ask")]
pub async fn ask_help(dialect: String, need: String, place: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::volunteers::help::ask(
        &crate::state::db()?,
        &me,
        &dialect,
        &need,
        &place,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/volunteers/help?done=asked");
    Ok(())
}

#[server(endpoint = "volunteers/help/take")]
pub async fn take_help(id: i32) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::volunteers::help::take(&crate::state::db()?, &me, id, chrono::Utc::now()).await?;
    leptos_axum::redirect("/volunteers/help?done=taken");
    Ok(())
}

#[server(endpoint = "volunteers/help/close")]
pub async fn close_help(id: i32, note: Option<String>) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::volunteers::help::close(
        &crate::state::db()?,
        &me,
        id,
        note.as_deref().unwrap_or_default(),
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/volunteers/help?done=closed");
    Ok(())
}

#[component]
pub fn HelpPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| help_view());
    view! {
        <Title text=i18n.t("help-title") />
        <p class="crumbs">
            <a href="/volunteers">{i18n.t("volunteers-title")}</a>
        </p>
        <h1>{i18n.t("help-title")}</h1>
        <p class="lead">{i18n.t("help-intro")}</p>
        <DoneNotice prefix="help-done" />
        <form method="post" action=AskHelp::PATH class="form panel">
            <CsrfField />
            <FormError path=AskHelp::PATH />
            <label>
                {i18n.t("help-field-dialect")}
                <input type="text" name="dialect" required maxlength="30" />
            </label>
            <label>
                {i18n.t("help-field-need")}
                <textarea name="need" required minlength="4" maxlength="300" rows="3"></textarea>
            </label>
            <label>
                {i18n.t("volunteers-field-place")}
                <input type="text" name="place" maxlength="100" />
            </label>
            <button type="submit" class="button">
                {i18n.t("help-ask")}
            </button>
        </form>
        <FormError path=TakeHelp::PATH />
        <FormError path=CloseHelp::PATH />
        <Loaded resource=info view=|info| view! { <Requests info /> } />
    }
}

#[component]
fn Requests(info: HelpInfo) -> impl IntoView {
    let i18n = use_i18n();
    let open = (!info.open.is_empty()).then(|| {
        view! {
            <h2>{i18n.t("help-open")}</h2>
            <ul class="cards">
                {info
                    .open
                    .into_iter()
                    .map(|r| {
                        view! {
                            <li class="card help">
                                <strong>{r.dialect}</strong>
                                <span>{r.need}</span>
                                <span class="meta">{r.place} " · " {r.at}</span>
                                <form method="post" action=TakeHelp::PATH class="inline">
                                    <CsrfField />
                                    <input type="hidden" name="id" value=r.id.to_string() />
                                    <button type="submit" class="button">
                                        {i18n.t("help-take")}
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        {open}
        <h2>{i18n.t("help-mine")}</h2>
        <ul class="cards">
            {info
                .mine
                .into_iter()
                .map(|r| {
                    let id = r.id.to_string();
                    let action = match (r.took, r.status.as_str()) {
                        (true, "taken") => {
                            Some(
                                view! {
                                    <form method="post" action=CloseHelp::PATH class="inline">
                                        <CsrfField />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input
                                            type="text"
                                            name="note"
                                            required
                                            minlength="2"
                                            maxlength="200"
                                            aria-label=i18n.t("help-field-note")
                                            placeholder=i18n.t("help-field-note")
                                        />
                                        <button type="submit" class="button secondary">
                                            {i18n.t("help-close")}
                                        </button>
                                    </form>
                                }
                                    .into_any(),
                            )
                        }
                        (false, "open") => {
                            Some(
                                view! {
                                    <form method="post" action=CloseHelp::PATH class="inline">
                                        <CsrfField />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <button type="submit" class="button secondary">
                                            {i18n.t("help-withdraw")}
                                        </button>
                                    </form>
                                }
                                    .into_any(),
                            )
                        }
                        _ => None,
                    };
                    view! {
                        <li class="card help">
                            <strong>
                                {r.dialect} " · " {i18n.t(&format!("help-status-{}", r.status))}
                            </strong>
                            <span>{r.need}</span>
                            {r.note.map(|n| view! { <span class="meta">{n}</span> })}
                            {action}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
