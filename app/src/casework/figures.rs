//! /board/figures — the loop in numbers for a period: cases by kind, stage and organisation,
//! median time per stage, the share solved without the police, mediation, volunteer hours
//! and notice reach. Charts are SVG drawn on the server (no charting script); each has its
//! table beside it and a CSV download (`server::api::figures_csv`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Loaded};
use crate::i18n::{I18n, use_i18n};

/// Periods the selector offers.
pub const PERIODS: [&str; 4] = ["30d", "90d", "365d", "all"];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FiguresInfo {
    pub period: String,
    pub by_kind: Vec<(String, u64)>,
    pub by_stage: Vec<(String, u64)>,
    pub by_org: Vec<(String, u64)>,
    pub median_hours: Vec<(String, Option<f64>)>,
    pub without_police: Vec<(String, u64, u64)>,
    pub closed: u64,
    pub solved_without_police: u64,
    /// received, concluded, resolved, followed up, satisfied
    pub mediation: (u64, u64, u64, u64, u64),
    /// By squad; the total's name is empty.
    pub volunteer_hours: Vec<(String, f64)>,
    pub notice_reach: Vec<(String, u64, u64)>,
    /// 反诈: (community, households, visited in the period)
    pub fraud_coverage: Vec<(String, u64, u64)>,
    /// 反诈: (community, losses, yuan)
    pub fraud_losses: Vec<(String, u64, i64)>,
    pub fraud_open: u64,
}

#[server(endpoint = "board/figures", input = server_fn::codec::GetUrl)]
pub async fn figures_view(period: Option<String>) -> Result<FiguresInfo, AppError> {
    use domain::casework::figures::period_figures;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let key = period
        .filter(|p| PERIODS.contains(&p.as_str()))
        .unwrap_or_else(|| "90d".to_owned());
    let f = period_figures(&crate::state::db()?, &me, &key, chrono::Utc::now())
        .await?
        .ok_or_else(|| AppError::invalid("case-period-invalid"))?;
    let f = (*f).clone();
    Ok(FiguresInfo {
        period: key,
        by_kind: f.by_kind,
        by_stage: f.by_stage,
        by_org: f.by_org,
        median_hours: f.median_hours,
        without_police: f.without_police,
        closed: f.closed,
        solved_without_police: f.solved_without_police,
        mediation: f.mediation,
        // The total row is named by the page, in the reader's language.
        volunteer_hours: f
            .volunteer_hours
            .into_iter()
            .map(|(squad, h)| {
                let name = if squad == domain::casework::figures::TOTAL {
                    String::new()
                } else {
                    squad
                };
                (name, h)
            })
            .collect(),
        notice_reach: f.notice_reach,
        fraud_coverage: f.antifraud.coverage,
        fraud_losses: f.antifraud.losses,
        fraud_open: f.antifraud.open_cases,
    })
}

/// Rows a chart shows: a district's thousand communities would be a bar each, unreadable
/// and a megabyte of page. The rest are in its CSV; the caller puts first the rows an
/// officer acts on.
const CHART_ROWS: usize = 20;

/// A horizontal bar chart: one bar per row, scaled to the largest value. A screen reader
/// hears its title; the table beside it holds the figures.
#[component]
fn Bars(title: String, rows: Vec<(String, f64, String)>) -> impl IntoView {
    const LABEL: f64 = 110.0;
    const WIDTH: f64 = 320.0;
    const ROW: f64 = 26.0;
    let max = rows.iter().map(|r| r.1).fold(0.0_f64, f64::max);
    let height = ROW * rows.len().max(1) as f64;
    let scale = if max > 0.0 {
        (WIDTH - LABEL - 90.0) / max
    } else {
        0.0
    };
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-label=title
            preserveAspectRatio="xMinYMin meet"
        >
            {rows
                .into_iter()
                .enumerate()
                .map(|(i, (label, value, shown))| {
                    let y = i as f64 * ROW;
                    let label = if label.chars().count() > 8 {
                        label.chars().take(7).chain(['…']).collect()
                    } else {
                        label
                    };
                    let w = (value * scale).max(if value > 0.0 { 1.0 } else { 0.0 });
                    // The whole label is in the table below; the chart has room for eight.
                    view! {
                        <g>
                            <text x="0" y=format!("{}", y + 17.0) font-size="12" fill="#1b1f24">
                                {label}
                            </text>
                            <rect
                                x=format!("{LABEL}")
                                y=format!("{}", y + 5.0)
                                width=format!("{w:.1}")
                                height="16"
                                rx="3"
                                fill="#1d4e89"
                            />
                            <text
                                x=format!("{:.1}", LABEL + w + 4.0)
                                y=format!("{}", y + 17.0)
                                font-size="12"
                                fill="#4a5360"
                            >
                                {shown}
                            </text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// One chart with its table and its CSV.
#[component]
fn Chart(
    title: String,
    table: &'static str,
    period: String,
    rows: Vec<(String, f64, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let more = rows.len().saturating_sub(CHART_ROWS);
    let rows: Vec<_> = rows.into_iter().take(CHART_ROWS).collect();
    let listed = rows.clone();
    view! {
        <section class="panel chart-panel" id=table>
            <h2>{title.clone()}</h2>
            <Bars title rows />
            {(more > 0)
                .then(|| view! { <p class="meta">{i18n.count("figures-more", more as u64)}</p> })}
            <details>
                <summary>{i18n.t("figures-table")}</summary>
                <table class="figures">
                    {listed
                        .into_iter()
                        .map(|(label, _, shown)| {
                            view! {
                                <tr>
                                    <td>{label}</td>
                                    <td>{shown}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </table>
            </details>
            <a href=format!("/board/figures.csv?table={table}&period={period}") download="">
                {i18n.t("figures-csv")}
            </a>
        </section>
    }
}

fn counts(i18n: I18n, prefix: &str, rows: &[(String, u64)]) -> Vec<(String, f64, String)> {
    rows.iter()
        .map(|(key, n)| (i18n.label(prefix, key), *n as f64, n.to_string()))
        .collect()
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[component]
pub fn FiguresPage() -> impl IntoView {
    let query = use_query_map();
    let info = Resource::new(move || query.read().get("period"), figures_view);
    view! {
        <super::pages::BoardHeading title="figures-title" />
        <Loaded resource=info view=|info| view! { <Figures info /> }.into_any() />
    }
}

#[component]
fn Figures(info: FiguresInfo) -> impl IntoView {
    let i18n = use_i18n();
    let period = info.period.clone();
    let (received, concluded, resolved, followed, satisfied) = info.mediation;
    let selector = view! {
        <form method="get" action="/board/figures" class="filter">
            <label>
                {i18n.t("figures-period")}
                <select name="period">
                    {PERIODS
                        .iter()
                        .map(|p| {
                            view! {
                                <option value=*p selected=period == *p>
                                    {i18n.label("figures-period", p)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit" class="button secondary">
                {i18n.t("board-filter")}
            </button>
        </form>
    };
    let headline = view! {
        <ul class="figures big">
            <li>
                <span>{i18n.t("figures-closed")}</span>
                <strong>{info.closed}</strong>
            </li>
            <li>
                <span>{i18n.t("figures-without-police")}</span>
                <strong>
                    {format!("{:.0}%", percent(info.solved_without_police, info.closed))}
                </strong>
            </li>
            <li>
                <span>{i18n.t("figures-mediation-success")}</span>
                <strong>{format!("{:.0}%", percent(resolved, concluded))}</strong>
            </li>
            <li>
                <span>{i18n.t("figures-satisfaction")}</span>
                <strong>{format!("{:.0}%", percent(satisfied, followed))}</strong>
            </li>
        </ul>
    };
    let median = info
        .median_hours
        .iter()
        .map(|(stage, hours)| {
            (
                i18n.label("case-stage", stage),
                hours.unwrap_or(0.0),
                hours
                    .map(|h| i18n.arg("figures-hours", "hours", &format!("{h:.1}")))
                    .unwrap_or_else(|| "—".to_owned()),
            )
        })
        .collect();
    let without = info
        .without_police
        .iter()
        .map(|(org, closed, solved)| {
            let share = percent(*solved, *closed);
            (
                i18n.label("case-org", org),
                share,
                format!("{share:.0}% ({solved}/{closed})"),
            )
        })
        .collect();
    let mediation = vec![
        (
            i18n.t("figures-mediation-received"),
            received as f64,
            received.to_string(),
        ),
        (
            i18n.t("figures-mediation-concluded"),
            concluded as f64,
            concluded.to_string(),
        ),
        (
            i18n.t("figures-mediation-resolved"),
            resolved as f64,
            resolved.to_string(),
        ),
        (
            i18n.t("figures-mediation-satisfied"),
            satisfied as f64,
            satisfied.to_string(),
        ),
    ];
    let hours = info
        .volunteer_hours
        .iter()
        .map(|(squad, h)| {
            let name = if squad.is_empty() {
                i18n.t("figures-total")
            } else {
                squad.clone()
            };
            (name, *h, format!("{h:.1}"))
        })
        .collect();
    let mut reach: Vec<_> = info
        .notice_reach
        .iter()
        .map(|(title, read, audience)| {
            let share = percent(*read, *audience);
            (
                title.clone(),
                share,
                format!("{share:.0}% ({read}/{audience})"),
            )
        })
        .collect();
    let mut coverage: Vec<_> = info
        .fraud_coverage
        .iter()
        .map(|(community, households, visited)| {
            let share = percent(*visited, *households);
            (
                community.clone(),
                share,
                format!("{share:.0}% ({visited}/{households})"),
            )
        })
        .collect();
    let mut losses: Vec<_> = info
        .fraud_losses
        .iter()
        .map(|(community, n, yuan)| (community.clone(), *yuan as f64, format!("¥{yuan} ({n})")))
        .collect();
    // Too many to chart: the newest notices, the least visited communities and the
    // largest losses come first (stable sorts: ties keep the directory's order).
    if reach.len() > CHART_ROWS {
        reach.reverse();
    }
    if coverage.len() > CHART_ROWS {
        coverage.sort_by(|a, b| a.1.total_cmp(&b.1));
    }
    if losses.len() > CHART_ROWS {
        losses.sort_by(|a, b| b.1.total_cmp(&a.1));
    }
    view! {
        <nav class="subnav">
            <a href="/board">{i18n.t("board-title")}</a>
            <a href="/board/colours">{i18n.t("colours-title")}</a>
            <a href="/antifraud">{i18n.t("antifraud-title")}</a>
        </nav>
        {selector}
        {headline}
        <Chart
            title=i18n.t("figures-by-kind")
            table="by_kind"
            period=period.clone()
            rows=counts(i18n, "case-kind", &info.by_kind)
        />
        <Chart
            title=i18n.t("figures-by-stage")
            table="by_stage"
            period=period.clone()
            rows=counts(i18n, "case-stage", &info.by_stage)
        />
        <Chart
            title=i18n.t("figures-by-org")
            table="by_org"
            period=period.clone()
            rows=counts(i18n, "case-org", &info.by_org)
        />
        <Chart
            title=i18n.t("figures-median")
            table="median_hours"
            period=period.clone()
            rows=median
        />
        <Chart
            title=i18n.t("figures-without-police-by-org")
            table="without_police"
            period=period.clone()
            rows=without
        />
        <Chart
            title=i18n.t("figures-mediation")
            table="mediation"
            period=period.clone()
            rows=mediation
        />
        <Chart
            title=i18n.t("figures-volunteer-hours")
            table="volunteer_hours"
            period=period.clone()
            rows=hours
        />
        <Chart
            title=i18n.t("figures-notice-reach")
            table="notice_reach"
            period=period.clone()
            rows=reach
        />
        <p class="figures">
            <span>{format!("{}: {}", i18n.t("figures-fraud-open"), info.fraud_open)}</span>
        </p>
        <Chart
            title=i18n.t("figures-fraud-coverage")
            table="fraud_coverage"
            period=period.clone()
            rows=coverage
        />
        <Chart title=i18n.t("figures-fraud-losses") table="fraud_losses" period rows=losses />
    }
    .into_any()
}
