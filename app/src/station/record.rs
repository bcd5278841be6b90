//! 本所记录 — the station's own reported totals (`domain::reported`): entered by admins on
//! `/admin/record`, shown on `/stats` beside the computed figures and labelled as reported.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::accounts::pages::ForRole;
use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::{I18n, use_i18n};
use crate::security::CsrfField;

/// The measures in the order /stats shows them (`domain::reported::Measure`).
const MEASURES: [&str; 4] = [
    "cases_mediated",
    "success_rate",
    "amount_yuan",
    "satisfaction_rate",
];

/// A reported total as pages show it; every field is public (it is on /stats).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedView {
    pub measure: String,
    /// As entered, without trailing zeros: "99.3", "1800".
    pub value: String,
    pub more_than: bool,
    pub source: String,
    /// "2023-08-27".
    pub as_of: String,
}

/// What the admin's form posts for one measure (`record[value]`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordForm {
    pub measure: String,
    pub value: String,
    pub more_than: Option<String>,
    pub source: String,
    pub as_of: String,
}

/// The station's reported totals, for /stats.
#[server(endpoint = "reported")]
pub async fn reported() -> Result<Vec<ReportedView>, AppError> {
    let db = crate::state::db()?;
    Ok(domain::reported::list(&db)
        .await?
        .into_iter()
        .map(|r| ReportedView {
            measure: r.measure.as_str().to_owned(),
            value: domain::reported::plain(r.value_hundredths),
            more_than: r.more_than,
            source: r.source,
            as_of: r.as_of.to_string(),
        })
        .collect())
}

/// Admins: enter or replace one total.
#[server(endpoint = "admin/record")]
pub async fn save_record(record: RecordForm) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    domain::reported::save(
        &crate::state::db()?,
        &admin,
        domain::reported::Entry {
            measure: record.measure,
            value: record.value,
            more_than: record.more_than.is_some(),
            source: record.source,
            as_of: record.as_of,
        },
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/admin/record?done=saved");
    Ok(())
}

/// Admins: take one total off /stats.
#[server(endpoint = "admin/record/remove")]
pub async fn remove_record(measure: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    domain::reported::remove(&crate::state::db()?, &admin, &measure, chrono::Utc::now()).await?;
    leptos_axum::redirect("/admin/record?done=removed");
    Ok(())
}

/// "1,800余起", "99.3%", "19,000,000余元": the value with its unit, in the reader's words.
fn shown(i18n: I18n, r: &ReportedView) -> String {
    let value = if r.measure.ends_with("_rate") {
        r.value.clone()
    } else {
        r.value
            .parse()
            .map(crate::mediation::pages::grouped)
            .unwrap_or_else(|_| r.value.clone())
    };
    let more = if r.more_than { "yes" } else { "no" };
    i18n.args(
        &format!("reported-value-{}", r.measure),
        &[("value", value.as_str()), ("more", more)],
    )
}

/// On /stats: the station's reported totals, apart from the computed figures.
#[component]
pub fn ReportedTotals() -> impl IntoView {
    let i18n = use_i18n();
    let totals = Resource::new(|| (), |_| reported());
    view! {
        <Loaded
            resource=totals
            view=move |totals| {
                (!totals.is_empty())
                    .then(|| {
                        view! {
                            <section class="panel reported" id="stats-reported">
                                <h2>{i18n.t("reported-title")}</h2>
                                <p>{i18n.t("reported-intro")}</p>
                                <ul class="plain">
                                    {totals
                                        .iter()
                                        .map(|r| {
                                            view! {
                                                <li data-reported=r.measure.clone()>
                                                    <strong>
                                                        {i18n.label("reported-measure", &r.measure)} " "
                                                        {shown(i18n, r)}
                                                    </strong>
                                                    <br />
                                                    <small>
                                                        {i18n
                                                            .args(
                                                                "reported-source",
                                                                &[("source", r.source.as_str()), ("date", r.as_of.as_str())],
                                                            )}
                                                    </small>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </section>
                        }
                    })
            }
        />
    }
}

/// /admin/record: admins enter the station's reported totals.
#[component]
pub fn RecordPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("reported-title") />
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
        </p>
        <h1>{i18n.t("reported-title")}</h1>
        <ForRole role=Role::Admin view=|_| view! { <RecordForms /> } />
    }
}

#[component]
fn RecordForms() -> impl IntoView {
    let i18n = use_i18n();
    let totals = Resource::new(|| (), |_| reported());
    view! {
        <p class="lead">{i18n.t("reported-admin-intro")}</p>
        <DoneNotice prefix="reported-done" />
        <FormError path=SaveRecord::PATH />
        <FormError path=RemoveRecord::PATH />
        <Loaded
            resource=totals
            view=move |totals| {
                MEASURES
                    .into_iter()
                    .map(|measure| {
                        let current = totals.iter().find(|r| r.measure == measure).cloned();
                        view! { <MeasureForm measure current /> }
                    })
                    .collect_view()
            }
        />
    }
}

#[component]
fn MeasureForm(measure: &'static str, current: Option<ReportedView>) -> impl IntoView {
    let i18n = use_i18n();
    let entered = current.is_some();
    let current = current.unwrap_or(ReportedView {
        measure: measure.to_owned(),
        value: String::new(),
        more_than: false,
        source: String::new(),
        as_of: String::new(),
    });
    view! {
        <section class="panel">
            <h2>{i18n.label("reported-measure", measure)}</h2>
            <form method="post" action=SaveRecord::PATH class="form">
                <CsrfField />
                <input type="hidden" name="record[measure]" value=measure />
                <label>
                    {i18n.label("reported-unit", measure)}
                    <input
                        type="text"
                        name="record[value]"
                        required
                        inputmode="decimal"
                        maxlength="20"
                        value=current.value
                    />
                </label>
                <label class="check">
                    <input type="checkbox" name="record[more_than]" checked=current.more_than />
                    <span>{i18n.t("reported-more-than")}</span>
                </label>
                <label>
                    {i18n.t("reported-source-field")}
                    <input
                        type="text"
                        name="record[source]"
                        required
                        maxlength="200"
                        value=current.source
                    />
                </label>
                <label>
                    {i18n.t("reported-as-of")}
                    <input type="date" name="record[as_of]" required value=current.as_of />
                </label>
                <button type="submit" class="button">
                    {i18n.t("reported-save")}
                </button>
            </form>
            {entered
                .then(|| {
                    view! {
                        <form method="post" action=RemoveRecord::PATH>
                            <CsrfField />
                            <input type="hidden" name="measure" value=measure />
                            <button type="submit" class="button secondary">
                                {i18n.t("reported-remove")}
                            </button>
                        </form>
                    }
                })}
        </section>
    }
}
