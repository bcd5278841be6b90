//! /stats — 调解成效: the mediation figures, computed from the records.

use leptos::prelude::*;
use leptos_meta::Title;

use super::*;
use crate::error::Loaded;
use crate::i18n::use_i18n;

fn rate(rate: Option<f64>) -> String {
    rate.map(|r| format!("{r:.1}%"))
        .unwrap_or_else(|| "—".into())
}

/// 调解成效: the figures, computed from the records.
#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let stats = Resource::new(|| (), |_| mediation_stats());
    view! {
        <Title text=i18n.t("stats-title") />
        <h1>{i18n.t("stats-title")}</h1>
        <p class="lead">{i18n.t("stats-intro")}</p>
        <Loaded resource=stats view=|stats| view! { <Stats stats /> } />
    }
}

#[component]
fn Stats(stats: StatsInfo) -> impl IntoView {
    let i18n = use_i18n();
    let total = stats.total;
    let head = move || {
        view! {
            <thead>
                <tr>
                    <th></th>
                    <th>{i18n.t("stats-received")}</th>
                    <th>{i18n.t("stats-success")}</th>
                    <th>{i18n.t("stats-amount")}</th>
                    <th>{i18n.t("stats-satisfaction")}</th>
                </tr>
            </thead>
        }
    };
    let row = move |(name, f): (String, FiguresInfo)| {
        view! {
            <tr>
                <th>{name}</th>
                <td>{f.received}</td>
                <td>{rate(f.success_rate)}</td>
                <td>{grouped(f.amount)}</td>
                <td>{rate(f.satisfaction_rate)}</td>
            </tr>
        }
    };
    view! {
        <ul class="figures big" id="stats-total">
            <li>
                <strong data-figure="received">{total.received}</strong>
                <span>{i18n.t("stats-received")}</span>
            </li>
            <li>
                <strong data-figure="resolved">{total.resolved}</strong>
                <span>{i18n.t("stats-resolved")}</span>
            </li>
            <li>
                <strong>{rate(total.success_rate)}</strong>
                <span>{i18n.t("stats-success")}</span>
            </li>
            <li>
                <strong>{yuan(i18n, total.amount)}</strong>
                <span>{i18n.t("stats-amount")}</span>
            </li>
            <li>
                <strong>{rate(total.satisfaction_rate)}</strong>
                <span>{i18n.t("stats-satisfaction")}</span>
            </li>
        </ul>
        <p class="meta">{i18n.t("stats-definitions")}</p>
        <crate::station::record::ReportedTotals />
        <h2>{i18n.t("stats-per-room")}</h2>
        <Scroll label=i18n.t("stats-per-room")>
            <table>{head()} <tbody>{stats.rooms.into_iter().map(row).collect_view()}</tbody></table>
        </Scroll>
        {(!stats.mediators.is_empty())
            .then(|| {
                view! {
                    <h2 id="per-mediator">{i18n.t("stats-per-mediator")}</h2>
                    <p class="meta">{i18n.t("stats-per-mediator-who")}</p>
                    <Scroll label=i18n.t("stats-per-mediator")>
                        <table>
                            {head()}
                            <tbody>{stats.mediators.into_iter().map(row).collect_view()}</tbody>
                        </table>
                    </Scroll>
                }
            })}
        <h2>{i18n.t("stats-referrals")}</h2>
        <p class="meta">{i18n.t("stats-referrals-note")}</p>
        <Scroll label=i18n.t("stats-referrals")>
            <table id="stats-referrals">
                <thead>
                    <tr>
                        <th></th>
                        <th>{i18n.t("stats-referred")}</th>
                        <th>{i18n.t("stats-referral-settled")}</th>
                    </tr>
                </thead>
                <tbody>
                    {stats
                        .referrals
                        .into_iter()
                        .map(|(target, referred, settled)| {
                            view! {
                                <tr>
                                    <th>{i18n.label("mediation-referral", target)}</th>
                                    <td>{referred}</td>
                                    <td>{settled}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </Scroll>
        <h2>{i18n.t("stats-per-month")}</h2>
        <Scroll label=i18n.t("stats-per-month")>
            <table>
                {head()} <tbody>{stats.months.into_iter().map(row).collect_view()}</tbody>
            </table>
        </Scroll>
        <p class="meta">
            <a href="/api/v1/mediation/stats">{i18n.t("stats-json")}</a>
        </p>
    }
}

/// A table that may scroll sideways on a phone (or at a large text size): a named region the
/// keyboard can reach and scroll.
#[component]
fn Scroll(label: String, children: Children) -> impl IntoView {
    view! {
        <div class="scroll" tabindex="0" role="region" aria-label=label>
            {children()}
        </div>
    }
}
