//! The anti-fraud register's pages: the teams' overview, a compound's households, and a
//! household's record with the visit form.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    AddHouseholds, CommunityLine, CompoundInfo, HouseholdInfo, HouseholdLine, Overview,
    RecordVisit, ReportLoss, VisitLine, compound_view, household_view, overview_view,
};
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// The scams, in the order the forms offer them.
const SCAMS: [&str; 7] = [
    "fake_authority",
    "order_brushing",
    "fake_investment",
    "fake_service",
    "fake_loan",
    "romance",
    "other",
];

fn share(part: u64, whole: u64) -> u64 {
    (part * 100).checked_div(whole).unwrap_or(0)
}

#[component]
pub fn AntifraudPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| overview_view());
    view! {
        <Title text=i18n.t("antifraud-title") />
        <h1>{i18n.t("antifraud-title")}</h1>
        <p class="lead">{i18n.t("antifraud-intro")}</p>
        <DoneNotice prefix="antifraud-done" />
        <Loaded resource=info view=|info| view! { <OverviewView info /> }.into_any() />
    }
}

#[component]
fn OverviewView(info: Overview) -> impl IntoView {
    let i18n = use_i18n();
    let choices = info
        .communities
        .iter()
        .map(|c| (c.id, c.name.clone()))
        .collect::<Vec<_>>();
    let open = info.open_cases.map(|cases| {
        view! {
            <section class="panel">
                <h2>{i18n.t("antifraud-open-cases")}</h2>
                <p class="hint">{i18n.t("antifraud-open-cases-hint")}</p>
                {if cases.is_empty() {
                    view! { <p>{i18n.t("antifraud-open-cases-none")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {cases
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <li>
                                            <a href=format!(
                                                "/board/cases/{}",
                                                c.code,
                                            )>{c.code.clone()}</a>
                                            " "
                                            {c.title}
                                            " · "
                                            {i18n.label("case-stage", &c.stage)}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </section>
        }
    });
    view! {
        {info
            .communities
            .into_iter()
            .map(|c| view! { <CommunityCard community=c recent_days=info.recent_days /> })
            .collect_view()}
        {open}
        <section class="panel">
            <h2>{i18n.t("antifraud-losses")}</h2>
            <form method="post" action=ReportLoss::PATH class="form">
                <CsrfField />
                <FormError path=ReportLoss::PATH />
                <label>
                    {i18n.t("antifraud-field-community")}
                    <select name="loss[community_id]" required>
                        {choices
                            .into_iter()
                            .map(|(id, name)| {
                                view! { <option value=id.to_string()>{name}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {i18n.t("antifraud-field-occurred-on")}
                    <input
                        type="date"
                        name="loss[occurred_on]"
                        required
                        value=info.today.clone()
                        max=info.today.clone()
                    />
                </label>
                <label>
                    {i18n.t("antifraud-field-amount")}
                    <input
                        type="number"
                        name="loss[amount_yuan]"
                        required
                        min="1"
                        max="100000000"
                        inputmode="numeric"
                    />
                </label>
                <label>
                    {i18n.t("antifraud-field-scam")}
                    <select name="loss[scam]">
                        {SCAMS
                            .iter()
                            .map(|s| {
                                view! {
                                    <option value=*s>{i18n.label("antifraud-scam", s)}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="button">
                    {i18n.t("antifraud-report-loss")}
                </button>
            </form>
            {if info.losses.is_empty() {
                view! { <p>{i18n.t("antifraud-losses-none")}</p> }.into_any()
            } else {
                view! {
                    <table>
                        {info
                            .losses
                            .into_iter()
                            .map(|l| {
                                view! {
                                    <tr>
                                        <td>{l.occurred_on}</td>
                                        <td>{l.community}</td>
                                        <td>{i18n.label("antifraud-scam", &l.scam)}</td>
                                        <td>{format!("¥{}", l.amount_yuan)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn CommunityCard(community: CommunityLine, recent_days: i64) -> impl IntoView {
    let i18n = use_i18n();
    let (officers, auxiliaries, grid) = community.team;
    let team = format!(
        "{} {officers} · {} {auxiliaries} · {} {grid}",
        i18n.t("role-officer"),
        i18n.t("role-auxiliary"),
        i18n.t("role-grid_worker"),
    );
    let reach = i18n.arg(
        "antifraud-reach",
        "share",
        &format!(
            "{}% ({}/{})",
            share(community.recent, community.households),
            community.recent,
            community.households
        ),
    );
    view! {
        <section class="panel">
            <h2>{community.name}</h2>
            <p class="hint">{team}</p>
            <p>
                {reach} " "
                <small>
                    {i18n.arg("antifraud-reach-window", "days", &recent_days.to_string())}
                </small>
            </p>
            <ul class="plain">
                {community
                    .compounds
                    .into_iter()
                    .map(|p| {
                        let never = (p.never > 0)
                            .then(|| {
                                view! {
                                    <span class="badge warn">
                                        {i18n.arg("antifraud-never", "n", &p.never.to_string())}
                                    </span>
                                }
                            });
                        view! {
                            <li>
                                <a href=format!("/antifraud/compounds/{}", p.id)>{p.name}</a>
                                " "
                                {format!(
                                    "{}% ({}/{})",
                                    share(p.recent, p.households),
                                    p.recent,
                                    p.households,
                                )}
                                " "
                                {never}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn CompoundPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let query = use_query_map();
    let info = Resource::new(
        move || (id.get(), query.read().get("q")),
        |(id, q)| compound_view(id, q),
    );
    view! {
        <Title text=i18n.t("antifraud-title") />
        <p class="crumbs">
            <a href="/antifraud">{i18n.t("antifraud-title")}</a>
        </p>
        <DoneNotice prefix="antifraud-done" />
        <Loaded resource=info view=|info| view! { <CompoundView info /> }.into_any() />
    }
}

#[component]
fn CompoundView(info: CompoundInfo) -> impl IntoView {
    let i18n = use_i18n();
    let id = info.id;
    view! {
        <h1>{format!("{} · {}", info.community, info.name)}</h1>
        <form method="get" action=format!("/antifraud/compounds/{id}") class="filter">
            <label>
                {i18n.t("antifraud-search")}
                <input type="search" name="q" value=info.search maxlength="40" />
            </label>
            <button type="submit" class="button secondary">
                {i18n.t("antifraud-search-submit")}
            </button>
        </form>
        {if info.households.is_empty() {
            view! { <p>{i18n.t("antifraud-households-none")}</p> }.into_any()
        } else {
            view! {
                <ul class="cards households">
                    {info
                        .households
                        .into_iter()
                        .map(|h| view! { <HouseholdCard h /> })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <section class="panel">
            <h2>{i18n.t("antifraud-add-households")}</h2>
            <form method="post" action=AddHouseholds::PATH class="form">
                <CsrfField />
                <FormError path=AddHouseholds::PATH />
                <input type="hidden" name="compound_id" value=id.to_string() />
                <label>
                    {i18n.t("antifraud-field-addresses")}
                    <textarea name="addresses" rows="4" required maxlength="12000"></textarea>
                    <small>{i18n.t("antifraud-field-addresses-hint")}</small>
                </label>
                <button type="submit" class="button secondary">
                    {i18n.t("antifraud-add-households-submit")}
                </button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn HouseholdCard(h: HouseholdLine) -> impl IntoView {
    let i18n = use_i18n();
    let last = match &h.last_visit {
        Some(day) => i18n.arg("antifraud-last-visit", "day", day),
        None => i18n.t("antifraud-never-visited"),
    };
    let app = h.app.map(|installed| {
        let key = if installed {
            "antifraud-app-yes"
        } else {
            "antifraud-app-no"
        };
        view! { <span class="badge">{i18n.t(key)}</span> }
    });
    let due = h
        .needs_visit
        .then(|| view! { <span class="badge warn">{i18n.t("antifraud-due")}</span> });
    let risk = h
        .at_risk
        .then(|| view! { <span class="badge warn">{i18n.t("antifraud-at-risk")}</span> });
    let follow = h
        .follow_up
        .map(|day| view! { <span>{i18n.arg("antifraud-follow-up-on", "day", &day)}</span> });
    view! {
        <li>
            <a class="card" href=format!("/antifraud/households/{}", h.id)>
                <strong>{h.address}</strong>
                <span>{last}</span>
                <span class="chips-inline">{due} {app} {risk}</span>
                {follow}
            </a>
        </li>
    }
}

#[component]
pub fn HouseholdPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = crate::id_param();
    let info = Resource::new(move || id.get(), household_view);
    view! {
        <Title text=i18n.t("antifraud-title") />
        <FormError path=RecordVisit::PATH />
        <Loaded resource=info view=|info| view! { <HouseholdView info /> }.into_any() />
    }
}

#[component]
fn HouseholdView(info: HouseholdInfo) -> impl IntoView {
    let i18n = use_i18n();
    let check = move |name: &'static str, key: &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" name=format!("visit[{name}]") value="on" />
                {i18n.t(key)}
            </label>
        }
    };
    view! {
        <p class="crumbs">
            <a href="/antifraud">{i18n.t("antifraud-title")}</a>
            " › "
            <a href=format!(
                "/antifraud/compounds/{}",
                info.compound_id,
            )>{format!("{} · {}", info.community, info.compound)}</a>
        </p>
        <h1>{info.address.clone()}</h1>
        <form method="post" action=RecordVisit::PATH class="form panel">
            <h2>{i18n.t("antifraud-visit")}</h2>
            <CsrfField />
            <input type="hidden" name="household_id" value=info.id.to_string() />
            <label>
                {i18n.t("antifraud-field-visited-on")}
                <input
                    type="date"
                    name="visit[visited_on]"
                    required
                    value=info.today.clone()
                    max=info.today.clone()
                />
            </label>
            <fieldset>
                <legend>{i18n.t("antifraud-app")}</legend>
                {check("app_installed", "antifraud-field-app-installed")}
                {check("warning_on", "antifraud-field-warning-on")}
            </fieldset>
            <fieldset>
                <legend>{i18n.t("antifraud-risk")}</legend>
                {check("elderly_alone", "antifraud-field-elderly-alone")}
                {check("recent_victim", "antifraud-field-recent-victim")}
            </fieldset>
            <fieldset>
                <legend>{i18n.t("antifraud-field-explained")}</legend>
                {SCAMS
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name=format!("visit[explained][{i}]")
                                    value=*s
                                />
                                {i18n.label("antifraud-scam", s)}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label>
                {i18n.t("antifraud-field-follow-up")}
                <input type="date" name="visit[follow_up_on]" min=info.today.clone() />
                <small>{i18n.t("antifraud-field-follow-up-hint")}</small>
            </label>
            <button type="submit" class="button">
                {i18n.t("antifraud-visit-submit")}
            </button>
        </form>
        <section class="panel">
            <h2>{i18n.t("antifraud-visits")}</h2>
            {if info.visits.is_empty() {
                view! { <p>{i18n.t("antifraud-never-visited")}</p> }.into_any()
            } else {
                view! {
                    <ul class="plain">
                        {info.visits.into_iter().map(|v| view! { <VisitItem v /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
fn VisitItem(v: VisitLine) -> impl IntoView {
    let i18n = use_i18n();
    let yes_no = |on: bool| i18n.t(if on { "antifraud-yes" } else { "antifraud-no" });
    let mut risks = Vec::new();
    if v.elderly_alone {
        risks.push(i18n.t("antifraud-field-elderly-alone"));
    }
    if v.recent_victim {
        risks.push(i18n.t("antifraud-field-recent-victim"));
    }
    let explained = v
        .explained
        .iter()
        .map(|s| i18n.label("antifraud-scam", s))
        .collect::<Vec<_>>()
        .join("、");
    view! {
        <li>
            <strong>{v.visited_on}</strong>
            " · "
            {v.visitor}
            <dl class="facts">
                <dt>{i18n.t("antifraud-field-app-installed")}</dt>
                <dd>{yes_no(v.app_installed)}</dd>
                <dt>{i18n.t("antifraud-field-warning-on")}</dt>
                <dd>{yes_no(v.warning_on)}</dd>
                <dt>{i18n.t("antifraud-risk")}</dt>
                <dd>
                    {if risks.is_empty() {
                        i18n.t("antifraud-risk-none")
                    } else {
                        risks.join("、")
                    }}
                </dd>
                <dt>{i18n.t("antifraud-field-explained")}</dt>
                <dd>{explained}</dd>
                {v
                    .follow_up_on
                    .map(|day| {
                        view! {
                            <dt>{i18n.t("antifraud-field-follow-up")}</dt>
                            <dd>{day}</dd>
                        }
                    })}
            </dl>
        </li>
    }
}
