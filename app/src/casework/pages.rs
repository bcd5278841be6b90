//! /board (open cases, overdue first, filters, bulk assignment), /board/new (a walk-in, a
//! call, a patrol), /board/cases/:code (the case with its history and its next moves) and
//! /board/colours (三色). Every form posts without JavaScript.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::*;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::{I18n, use_i18n};
use crate::security::CsrfField;

/// The `<option>`s of a closed set of words, each shown as its `{prefix}-{word}` label;
/// `selected` (empty for none) is the one chosen.
fn labelled_options(
    i18n: I18n,
    prefix: &'static str,
    words: &[&'static str],
    selected: &str,
) -> impl IntoView {
    words
        .iter()
        .map(|w| {
            view! {
                <option value=*w selected=selected == *w>
                    {i18n.label(prefix, w)}
                </option>
            }
        })
        .collect_view()
}

/// Links every board page carries: the board, a new case, 三色 and the figures.
#[component]
fn BoardNav(officer: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="subnav">
            <a href="/board">{i18n.t("board-title")}</a>
            {officer
                .then(|| {
                    view! {
                        <a href="/board/new">{i18n.t("board-open-case")}</a>
                        <a href="/board/figures">{i18n.t("figures-title")}</a>
                        <a href="/board/colours">{i18n.t("colours-title")}</a>
                        <a href="/board/deadlines">{i18n.t("deadlines-title")}</a>
                    }
                })}
        </nav>
    }
}

/// The heading of a page below the board: its title, the way back, what it is for.
#[component]
pub(super) fn BoardHeading(
    title: &'static str,
    #[prop(optional)] intro: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t(title) />
        <p class="crumbs">
            <a href="/board">{i18n.t("board-title")}</a>
        </p>
        <h1>{i18n.t(title)}</h1>
        {intro.map(|key| view! { <p class="lead">{i18n.t(key)}</p> })}
    }
}

#[component]
pub fn BoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let info = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("stage"),
                q.get("kind"),
                q.get("org"),
                q.get("overdue"),
            )
        },
        |(stage, kind, org, overdue)| board_view(stage, kind, org, overdue),
    );
    view! {
        <Title text=i18n.t("board-title") />
        <h1>{i18n.t("board-title")}</h1>
        <DoneNotice prefix="board-done" />
        <FormError path=BulkAssign::PATH />
        <Loaded resource=info view=|info| view! { <Board info /> }.into_any() />
    }
}

#[component]
fn Board(info: BoardInfo) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let chosen = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    let (stage, kind, org) = (chosen("stage"), chosen("kind"), chosen("org"));
    let overdue = !chosen("overdue").is_empty();
    let officer = info.officer;
    let filters = view! {
        <form method="get" action="/board" class="filter">
            <label>
                {i18n.t("board-stage")} <select name="stage">
                    <option value="">{i18n.t("board-any")}</option>
                    {labelled_options(i18n, "case-stage", Stage::NAMES, &stage)}
                </select>
            </label>
            <label>
                {i18n.t("board-kind")} <select name="kind">
                    <option value="">{i18n.t("board-any")}</option>
                    {labelled_options(i18n, "case-kind", Kind::NAMES, &kind)}
                </select>
            </label>
            <label>
                {i18n.t("board-org")} <select name="org">
                    <option value="">{i18n.t("board-any")}</option>
                    {info
                        .orgs
                        .iter()
                        .map(|(key, name)| {
                            view! {
                                <option value=key.clone() selected=org == *key>
                                    {name.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label class="check">
                <input type="checkbox" name="overdue" value="1" checked=overdue />
                {i18n.t("board-overdue-only")}
            </label>
            <button type="submit" class="button secondary">
                {i18n.t("board-filter")}
            </button>
        </form>
    };
    let rows = if info.lines.is_empty() {
        view! { <p class="empty">{i18n.t("board-empty")}</p> }.into_any()
    } else {
        view! {
            <ul class="cards">
                {info
                    .lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, line)| view! { <CaseItem line index=i officer /> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let bulk = officer.then(|| {
        view! {
            <div class="panel bulk">
                <label>
                    {i18n.t("board-bulk-assign")} <select name="bulk[org]" form="bulk">
                        {info
                            .orgs
                            .iter()
                            .map(|(key, name)| {
                                view! { <option value=key.clone()>{name.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <button type="submit" class="button" form="bulk">
                    {i18n.t("board-bulk-submit")}
                </button>
            </div>
        }
    });
    view! {
        <BoardNav officer />
        {filters}
        <form method="post" action=BulkAssign::PATH id="bulk">
            <CsrfField />
        </form>
        {bulk}
        {rows}
    }
    .into_any()
}

#[component]
fn CaseItem(line: CaseLine, index: usize, officer: bool) -> impl IntoView {
    let i18n = use_i18n();
    // Only new cases can be assigned in bulk; the rest are moved one by one, with a reason.
    let pick = (officer && matches!(line.stage.as_str(), "intake" | "triage")).then(|| {
        view! {
            <input
                type="checkbox"
                form="bulk"
                name=format!("bulk[codes][{index}]")
                value=line.code.clone()
                aria-label=i18n.arg("board-pick", "code", &line.code)
            />
        }
    });
    let href = format!("/board/cases/{}", line.code);
    view! {
        <li class="case-line" class:overdue=line.overdue>
            {pick}
            <a class="card case-card" href=href>
                <span class="notice-tags">
                    <span class=format!(
                        "chip stage-{}",
                        line.stage,
                    )>{i18n.label("case-stage", line.stage)}</span>
                    <span class="chip">{i18n.label("case-kind", line.kind)}</span>
                    {line
                        .overdue
                        .then(|| {
                            view! { <span class="chip overdue">{i18n.t("case-overdue")}</span> }
                        })}
                    {(line.escalations > 0)
                        .then(|| {
                            view! {
                                <span class="chip">
                                    {i18n.count("case-escalated-times", line.escalations as u64)}
                                </span>
                            }
                        })}
                </span>
                <strong>{line.title}</strong>
                <span class="meta">
                    {line.code} " · " {line.org.unwrap_or_else(|| i18n.t("case-unassigned"))}
                    {line.due.map(|d| format!(" · {} {d}", i18n.t("case-due")))}
                </span>
            </a>
        </li>
    }
}

#[component]
pub fn OpenCasePage() -> impl IntoView {
    let communities = Resource::new(|| (), |_| open_case_options());
    view! {
        <BoardHeading title="board-open-case" />
        <FormError path=OpenCase::PATH />
        <Loaded
            resource=communities
            view=|communities| view! { <OpenCaseForm communities /> }.into_any()
        />
    }
}

#[component]
fn OpenCaseForm(communities: Vec<(i32, String)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action=OpenCase::PATH class="form panel">
            <CsrfField />
            <label>
                {i18n.t("case-field-kind")}
                <select name="case[kind]">
                    {labelled_options(i18n, "case-kind", &["walk_in", "phone", "patrol"], "")}
                </select>
            </label>
            <label>
                {i18n.t("case-field-title")}
                <input type="text" name="case[title]" required minlength="4" maxlength="80" />
            </label>
            <label>
                {i18n.t("case-field-summary")}
                <textarea name="case[summary]" rows="5" maxlength="2000"></textarea>
            </label>
            <label>
                {i18n.t("case-field-contact")}
                <input type="text" name="case[contact_name]" maxlength="50" />
            </label>
            <label>
                {i18n.t("case-field-phone")}
                <input type="tel" name="case[contact_phone]" inputmode="numeric" maxlength="20" />
                <small>{i18n.t("case-field-phone-hint")}</small>
            </label>
            <label>
                {i18n.t("field-community")} <select name="case[community_id]">
                    <option value="">{i18n.t("board-any")}</option>
                    {communities
                        .into_iter()
                        .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.t("case-field-household")}
                <input type="text" name="case[household]" maxlength="100" />
                <small>{i18n.t("case-field-household-hint")}</small>
            </label>
            <button type="submit" class="button">
                {i18n.t("board-open-case")}
            </button>
        </form>
    }
}

#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let info = Resource::new(
        move || params.read().get("code").unwrap_or_default(),
        case_view,
    );
    view! {
        <Title text=i18n.t("board-title") />
        <p class="crumbs">
            <a href="/board">{i18n.t("board-title")}</a>
        </p>
        <DoneNotice prefix="case-done" />
        <FormError path=MoveCase::PATH />
        <Loaded resource=info view=|case| view! { <Case case /> }.into_any() />
    }
}

#[component]
fn Case(case: CaseDetails) -> impl IntoView {
    let i18n = use_i18n();
    let facts = view! {
        <dl class="facts">
            <dt>{i18n.t("case-code")}</dt>
            <dd>{case.code.clone()}</dd>
            <dt>{i18n.t("case-field-kind")}</dt>
            <dd>{i18n.label("case-kind", case.kind)}</dd>
            <dt>{i18n.t("board-org")}</dt>
            <dd>{case.org.clone().unwrap_or_else(|| i18n.t("case-unassigned"))}</dd>
            <dt>{i18n.t("case-due")}</dt>
            <dd class:overdue=case
                .overdue>
                {case.due.clone().unwrap_or_else(|| "—".to_owned())}
                {case.overdue.then(|| format!(" · {}", i18n.t("case-overdue")))}
            </dd>
            {(!case.contact.is_empty())
                .then(|| {
                    view! {
                        <dt>{i18n.t("case-field-contact")}</dt>
                        <dd>{case.contact.clone()}</dd>
                    }
                })}
            {case
                .resident_phone
                .clone()
                .map(|p| {
                    view! {
                        <dt>{i18n.t("case-field-phone")}</dt>
                        <dd>{p}</dd>
                    }
                })}
            {case
                .household
                .clone()
                .map(|h| {
                    view! {
                        <dt>{i18n.t("case-field-household")}</dt>
                        <dd>{h}</dd>
                    }
                })}
            {case
                .fraud
                .then(|| {
                    view! {
                        <dt>{i18n.t("case-fraud")}</dt>
                        <dd>{i18n.t("case-fraud-yes")}</dd>
                    }
                })}
            {case
                .concern
                .clone()
                .map(|concern| {
                    let steps = case
                        .grades
                        .iter()
                        .map(|(grade, on)| format!("{} {on}", i18n.label("case-grade", grade)))
                        .collect::<Vec<_>>()
                        .join(" → ");
                    view! {
                        <dt>{i18n.t("case-concern")}</dt>
                        <dd>{i18n.label("case-concern", &concern)}</dd>
                        <dt>{i18n.t("case-grades")}</dt>
                        <dd data-testid="grades">
                            {if steps.is_empty() { i18n.t("case-grades-none") } else { steps }}
                        </dd>
                    }
                })}
            {case
                .outcome
                .clone()
                .map(|o| {
                    view! {
                        <dt>{i18n.t("case-outcome")}</dt>
                        <dd class="prose">{o}</dd>
                    }
                })}
            {case
                .feedback
                .clone()
                .or(case.no_feedback_reason.clone())
                .map(|f| {
                    view! {
                        <dt>{i18n.t("case-feedback")}</dt>
                        <dd class="prose">
                            {f}
                            {case
                                .rating
                                .map(|r| format!(" · {}", i18n.label("rating", r.to_string())))}
                        </dd>
                    }
                })}
        </dl>
    };
    let links = view! {
        {case
            .mediation_code
            .clone()
            .map(|code| {
                view! {
                    <p>
                        <a href=format!(
                            "/mediation/cases/{code}",
                        )>{i18n.arg("case-mediation-link", "code", &code)}</a>
                    </p>
                }
            })}
        {case
            .thread_id
            .map(|id| {
                view! {
                    <p>
                        <a href=format!("/teahouse/t/{id}")>{i18n.t("mediation-from-thread")}</a>
                    </p>
                }
            })}
        {case
            .enterprise
            .clone()
            .map(|(id, name)| {
                let text = i18n.arg("enterprise-case-link", "name", &name);
                view! {
                    <p>
                        {if case.officer {
                            view! { <a href=format!("/enterprises/{id}")>{text}</a> }.into_any()
                        } else {
                            text.into_any()
                        }}
                    </p>
                }
            })}
    };
    let history = view! {
        <h2>{i18n.t("case-history")}</h2>
        <ol class="timeline">
            {case
                .history
                .iter()
                .map(|h| {
                    view! {
                        <li>
                            <strong>{i18n.label("case-action", h.action)}</strong>
                            " · "
                            {h.at.clone()}
                            " · "
                            {h.from.map(|f| format!("{} → ", i18n.label("case-stage", f)))}
                            {i18n.label("case-stage", h.to)}
                            {h.org.clone().map(|o| format!(" · {o}"))}
                            {h.actor.clone().map(|a| format!(" · {a}"))}
                            {(!h.note.is_empty())
                                .then(|| {
                                    view! { <span class="meta">" — " {h.note.clone()}</span> }
                                })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    };
    view! {
        <Title text=case.title.clone() />
        <h1>{case.title.clone()}</h1>
        <p class="notice-tags">
            <span class=format!(
                "chip stage-{}",
                case.stage,
            )>{i18n.label("case-stage", case.stage)}</span>
            {case
                .overdue
                .then(|| view! { <span class="chip overdue">{i18n.t("case-overdue")}</span> })}
        </p>
        {(!case.summary.is_empty()).then(|| view! { <p class="prose">{case.summary.clone()}</p> })}
        {facts}
        {links}
        <Moves case=case.clone() />
        {history}
    }
    .into_any()
}

/// The moves the reader may make from the case's stage.
#[component]
fn Moves(case: CaseDetails) -> impl IntoView {
    let i18n = use_i18n();
    let code = case.code.clone();
    let form = move |action: &'static str, fields: AnyView, label: String| {
        view! {
            <form method="post" action=MoveCase::PATH class="form panel">
                <CsrfField />
                <input type="hidden" name="step[code]" value=code.clone() />
                <input type="hidden" name="step[action]" value=action />
                {fields}
                <button type="submit" class="button">
                    {label}
                </button>
            </form>
        }
        .into_any()
    };
    let org_select = |orgs: &[(String, String)]| {
        view! {
            <label>
                {i18n.t("board-org")}
                <select name="step[org]">
                    {orgs
                        .iter()
                        .map(|(key, name)| {
                            view! { <option value=key.clone()>{name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };
    let note = |label: String, required: bool| {
        view! {
            <label>
                {label} <input type="text" name="step[note]" maxlength="200" required=required />
            </label>
        }
    };
    let mut moves: Vec<AnyView> = Vec::new();
    match (case.stage.as_str(), case.officer) {
        ("intake", true) => {
            moves.push(form("triage", ().into_any(), i18n.t("case-move-triage")));
            moves.push(form(
                "assign",
                org_select(&case.orgs).into_any(),
                i18n.t("case-move-assign"),
            ));
        }
        ("triage", true) => {
            moves.push(form(
                "assign",
                org_select(&case.orgs).into_any(),
                i18n.t("case-move-assign"),
            ));
        }
        ("assigned", officer) => {
            moves.push(form("start", ().into_any(), i18n.t("case-move-start")));
            if officer {
                moves.push(form(
                    "assign",
                    view! {
                        {org_select(&case.orgs)}
                        {note(i18n.t("case-transfer-reason"), true)}
                    }
                    .into_any(),
                    i18n.t("case-move-transfer"),
                ));
            }
        }
        ("in_progress", officer) => {
            moves.push(form(
                "report",
                view! {
                    <label>
                        {i18n.t("case-outcome")}
                        <textarea
                            name="step[note]"
                            rows="3"
                            required
                            minlength="2"
                            maxlength="1000"
                        ></textarea>
                    </label>
                }
                .into_any(),
                i18n.t("case-move-report"),
            ));
            if officer {
                moves.push(form(
                    "assign",
                    view! {
                        {org_select(&case.orgs)}
                        {note(i18n.t("case-transfer-reason"), true)}
                    }
                    .into_any(),
                    i18n.t("case-move-transfer"),
                ));
            }
        }
        ("feedback", true) => {
            moves.push(form(
                "close",
                view! {
                    <label>
                        {i18n.t("case-feedback")}
                        <textarea name="step[feedback]" rows="3" maxlength="1000"></textarea>
                    </label>
                    <label>
                        {i18n.t("case-rating")} <select name="step[rating]">
                            <option value="">"—"</option>
                            {(1..=5)
                                .map(|r| {
                                    view! {
                                        <option value=r
                                            .to_string()>{i18n.label("rating", r.to_string())}</option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {i18n.t("case-no-feedback-reason")}
                        <input type="text" name="step[no_feedback_reason]" maxlength="200" />
                        <small>{i18n.t("case-no-feedback-hint")}</small>
                    </label>
                }
                .into_any(),
                i18n.t("case-move-close"),
            ));
        }
        ("closed", true) => {
            moves.push(form(
                "reopen",
                note(i18n.t("case-reopen-reason"), true).into_any(),
                i18n.t("case-move-reopen"),
            ));
        }
        _ => {}
    }
    if case.officer {
        moves.push(form(
            "household",
            view! {
                <label>
                    {i18n.t("case-field-household")}
                    <input
                        type="text"
                        name="step[note]"
                        maxlength="100"
                        value=case.household.clone().unwrap_or_default()
                    />
                </label>
            }
            .into_any(),
            i18n.t("case-move-household"),
        ));
        let (value, label) = if case.fraud {
            ("off", "case-move-not-fraud")
        } else {
            ("on", "case-move-fraud")
        };
        let concern = case.concern.clone().unwrap_or_default();
        moves.push(form(
            "concern",
            view! {
                <label>
                    {i18n.t("case-concern")}
                    <select name="step[note]">
                        {["", "emotional", "domestic"]
                            .into_iter()
                            .map(|value| {
                                let label = if value.is_empty() {
                                    i18n.t("case-concern-none")
                                } else {
                                    i18n.label("case-concern", value)
                                };
                                view! {
                                    <option value=value selected=concern == value>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select> <small>{i18n.t("case-concern-hint")}</small>
                </label>
            }
            .into_any(),
            i18n.t("case-move-concern"),
        ));
        if case.concern.is_some() {
            moves.push(form(
                "grade",
                view! {
                    <label>
                        {i18n.t("case-grade")}
                        <select name="step[note]">
                            {["education", "admonition", "detention"]
                                .into_iter()
                                .map(|grade| {
                                    view! {
                                        <option value=grade>
                                            {i18n.label("case-grade", grade)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {i18n.t("case-grade-on")} <input type="date" name="step[on]" required />
                    </label>
                    <small>{i18n.t("case-grade-hint")}</small>
                }
                .into_any(),
                i18n.t("case-move-grade"),
            ));
        }
        moves.push(form(
            "fraud",
            view! {
                <p class="hint">{i18n.t("case-fraud-hint")}</p>
                <input type="hidden" name="step[note]" value=value />
            }
            .into_any(),
            i18n.t(label),
        ));
    }
    view! {
        <section class="moves">
            <h2>{i18n.t("case-next")}</h2>
            {moves}
        </section>
    }
    .into_any()
}

/// 三色: repeat disputes by household, for officers; every view is logged.
#[component]
pub fn ColoursPage() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| colours_view());
    view! {
        <BoardHeading title="colours-title" intro="colours-intro" />
        <Loaded
            resource=info
            view=move |households| {
                view! {
                    <ul class="cards">
                        {households
                            .into_iter()
                            .map(|h| {
                                view! {
                                    <li class=format!("card household colour-{}", h.colour)>
                                        <strong>{h.household}</strong>
                                        <span class=format!(
                                            "chip colour-{}",
                                            h.colour,
                                        )>{i18n.label("colour", &h.colour)}</span>
                                        {h
                                            .grade
                                            .map(|(grade, on)| {
                                                view! {
                                                    <span class="badge warn">
                                                        {format!("{} {on}", i18n.label("case-grade", &grade))}
                                                    </span>
                                                }
                                            })}
                                        <ul class="plain meta">
                                            {h
                                                .cases
                                                .into_iter()
                                                .map(|(code, opened, closed)| {
                                                    view! {
                                                        <li>
                                                            <a href=format!("/board/cases/{code}")>{code.clone()}</a>
                                                            " · "
                                                            {opened}
                                                            {closed
                                                                .map(|c| format!(" → {} {c}", i18n.t("case-closed-at")))}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        />
    }
}

/// /board/deadlines: how long each kind of case may stay in each stage, and whether it then
/// moves up a level by itself.
#[component]
pub fn DeadlinesPage() -> impl IntoView {
    let info = Resource::new(|| (), |_| deadlines_view());
    view! {
        <BoardHeading title="deadlines-title" intro="deadlines-intro" />
        <DoneNotice prefix="deadlines-done" />
        <FormError path=SetCaseDeadline::PATH />
        <Loaded resource=info view=|lines| view! { <Deadlines lines /> }.into_any() />
    }
}

#[component]
fn Deadlines(lines: Vec<DeadlineLine>) -> impl IntoView {
    let i18n = use_i18n();
    let open_stages = &Stage::NAMES[..Stage::NAMES.len() - 1];
    let cell = move |kind: &str, stage: &str| {
        lines
            .iter()
            .find(|d| d.kind == kind && d.stage == stage)
            .map(|d| {
                let mut text = i18n.arg("deadlines-hours", "hours", &d.hours.to_string());
                if d.escalate {
                    text.push_str(" · ");
                    text.push_str(&i18n.t("deadlines-escalates"));
                }
                text
            })
            .unwrap_or_else(|| i18n.t("deadlines-none"))
    };
    view! {
        <div class="scroll-x">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{i18n.t("case-field-kind")}</th>
                        {open_stages
                            .iter()
                            .map(|s| view! { <th scope="col">{i18n.label("case-stage", s)}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {Kind::NAMES
                        .iter()
                        .map(|k| {
                            view! {
                                <tr>
                                    <th scope="row">{i18n.label("case-kind", k)}</th>
                                    {open_stages
                                        .iter()
                                        .map(|s| view! { <td>{cell(k, s)}</td> })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <form method="post" action=SetCaseDeadline::PATH class="form panel">
            <CsrfField />
            <h2>{i18n.t("deadlines-change")}</h2>
            <label>
                {i18n.t("case-field-kind")}
                <select name="deadline[kind]">
                    {labelled_options(i18n, "case-kind", Kind::NAMES, "")}
                </select>
            </label>
            <label>
                {i18n.t("deadlines-field-stage")}
                <select name="deadline[stage]">
                    {labelled_options(i18n, "case-stage", open_stages, "")}
                </select>
            </label>
            <label>
                {i18n.t("deadlines-field-hours")}
                <input
                    type="number"
                    name="deadline[hours]"
                    required
                    min="1"
                    max="8760"
                    inputmode="numeric"
                />
            </label>
            <label class="check">
                <input type="checkbox" name="deadline[escalate]" />
                {i18n.t("deadlines-field-escalate")}
            </label>
            <button type="submit" class="button">
                {i18n.t("deadlines-save")}
            </button>
        </form>
    }
    .into_any()
}
