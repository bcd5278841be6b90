//! /admin/school-calendar — the school calendar 护苗队's duty follows: the terms and the
//! holidays within them, kept by admins with plain forms. The duties themselves are
//! published on the leader's page (`/volunteers/lead`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInfo {
    /// (id, name, first day, last day)
    pub terms: Vec<(i32, String, String, String)>,
    /// (day, name)
    pub holidays: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn day(text: &str, code: &'static str) -> Result<chrono::NaiveDate, AppError> {
    domain::time::parse_day(text).ok_or_else(|| AppError::invalid(code))
}

#[server(endpoint = "admin/school-calendar", input = server_fn::codec::GetUrl)]
pub async fn calendar_view() -> Result<CalendarInfo, AppError> {
    crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let calendar = domain::volunteers::school::calendar(&crate::state::db()?).await?;
    Ok(CalendarInfo {
        terms: calendar
            .terms
            .into_iter()
            .map(|t| (t.id, t.name, t.starts_on.to_string(), t.ends_on.to_string()))
            .collect(),
        holidays: calendar
            .holidays
            .into_iter()
            .map(|h| (h.day.to_string(), h.name))
            .collect(),
    })
}

#[server(endpoint = "admin/school-calendar/term")]
pub async fn add_term(name: String, from: String, to: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    domain::volunteers::school::add_term(
        &crate::state::db()?,
        &admin,
        &name,
        day(&from, "school-term-invalid")?,
        day(&to, "school-term-invalid")?,
    )
    .await?;
    leptos_axum::redirect("/admin/school-calendar?done=term");
    Ok(())
}

#[server(endpoint = "admin/school-calendar/term/remove")]
pub async fn remove_term(id: i32) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    domain::volunteers::school::remove_term(&crate::state::db()?, &admin, id).await?;
    leptos_axum::redirect("/admin/school-calendar?done=removed");
    Ok(())
}

#[server(endpoint = "admin/school-calendar/holiday")]
pub async fn add_holidays(name: String, from: String, to: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let from = day(&from, "school-holiday-invalid")?;
    // One day off needs no last day.
    let to = if to.trim().is_empty() {
        from
    } else {
        day(&to, "school-holiday-invalid")?
    };
    domain::volunteers::school::add_holidays(&crate::state::db()?, &admin, &name, from, to).await?;
    leptos_axum::redirect("/admin/school-calendar?done=holiday");
    Ok(())
}

#[server(endpoint = "admin/school-calendar/holiday/remove")]
pub async fn remove_holiday(day: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let day = self::day(&day, "school-holiday-invalid")?;
    domain::volunteers::school::remove_holiday(&crate::state::db()?, &admin, day).await?;
    leptos_axum::redirect("/admin/school-calendar?done=removed");
    Ok(())
}

#[component]
pub fn SchoolCalendarPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| calendar_view());
    view! {
        <Title text=i18n.t("school-calendar-title") />
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
        </p>
        <h1>{i18n.t("school-calendar-title")}</h1>
        <p class="lead">{i18n.t("school-calendar-intro")}</p>
        <DoneNotice prefix="school-done" />
        <Loaded resource=info view=|info| view! { <CalendarView info /> }.into_any() />
    }
}

/// A form that names a span of days: a term or a run of holidays.
#[component]
fn SpanForm(path: &'static str, legend: String, to_required: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=path class="form">
            <CsrfField />
            <FormError path=path />
            <h3>{legend}</h3>
            <label>
                {i18n.t("school-field-name")}
                <input type="text" name="name" required maxlength="40" />
            </label>
            <label>{i18n.t("school-field-from")} <input type="date" name="from" required /></label>
            <label>
                {i18n.t("school-field-to")} <input type="date" name="to" required=to_required />
            </label>
            <button type="submit" class="button">
                {i18n.t("school-add")}
            </button>
        </form>
    }
}

/// A one-button form that removes one term or one day off.
#[component]
fn RemoveButton(path: &'static str, name: &'static str, value: String) -> impl IntoView {
    view! {
        <form method="post" action=path class="inline">
            <CsrfField />
            <input type="hidden" name=name value=value />
            <button type="submit" class="link">
                {use_i18n().t("school-remove")}
            </button>
        </form>
    }
}

#[component]
fn CalendarView(info: CalendarInfo) -> impl IntoView {
    let i18n = use_i18n();
    let terms = info
        .terms
        .into_iter()
        .map(|(id, name, from, to)| {
            view! {
                <li>
                    <strong>{name}</strong>
                    {format!(" {from} – {to} ")}
                    <RemoveButton path=RemoveTerm::PATH name="id" value=id.to_string() />
                </li>
            }
        })
        .collect_view();
    let holidays = info
        .holidays
        .into_iter()
        .map(|(day, name)| {
            view! {
                <li>
                    {format!("{day} {name} ")}
                    <RemoveButton path=RemoveHoliday::PATH name="day" value=day.clone() />
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel">
            <h2>{i18n.t("school-terms")}</h2>
            <ul class="plain">{terms}</ul>
            <SpanForm path=AddTerm::PATH legend=i18n.t("school-new-term") to_required=true />
        </section>
        <section class="panel">
            <h2>{i18n.t("school-holidays")}</h2>
            <ul class="plain">{holidays}</ul>
            <SpanForm
                path=AddHolidays::PATH
                legend=i18n.t("school-new-holiday")
                to_required=false
            />
        </section>
    }
    .into_any()
}
