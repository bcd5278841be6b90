//! The 警企联络室 board of an enterprise: its requests and how far each has come, and for
//! its contacts the form that files a new one.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::{EnterpriseBoard, FileRequest, RequestLine, board_view};
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// `/enterprise`: the signed-in contact's own enterprise.
#[component]
pub fn OwnEnterprisePage() -> impl IntoView {
    let info = Resource::new(|| (), |_| board_view(None));
    view! { <BoardPage info /> }
}

/// `/enterprises/{id}`: any enterprise's board, for officers and admins.
#[component]
pub fn EnterprisePage() -> impl IntoView {
    let id = crate::id_param();
    let info = Resource::new(move || id.get(), |id| board_view(Some(id)));
    view! { <BoardPage info /> }
}

#[component]
fn BoardPage(info: Resource<Result<EnterpriseBoard, crate::error::AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("enterprise-title") />
        <DoneNotice prefix="enterprise-done" />
        <Loaded resource=info view=|info| view! { <BoardView info /> }.into_any() />
    }
}

#[component]
fn BoardView(info: EnterpriseBoard) -> impl IntoView {
    let i18n = use_i18n();
    let staff = info.staff;
    let form = info.may_file.then(|| {
        view! {
            <section class="panel">
                <h2>{i18n.t("enterprise-new")}</h2>
                <p class="hint">{i18n.t("enterprise-new-hint")}</p>
                <form method="post" action=FileRequest::PATH class="form">
                    <CsrfField />
                    <FormError path=FileRequest::PATH />
                    <label>
                        {i18n.t("enterprise-field-title")}
                        <input type="text" name="title" required minlength="4" maxlength="80" />
                    </label>
                    <label>
                        {i18n.t("enterprise-field-body")}
                        <textarea
                            name="body"
                            required
                            minlength="10"
                            maxlength="2000"
                            rows="4"
                        ></textarea>
                    </label>
                    <button type="submit" class="button">
                        {i18n.t("enterprise-file")}
                    </button>
                </form>
            </section>
        }
    });
    let requests = if info.requests.is_empty() {
        view! { <p>{i18n.t("enterprise-none")}</p> }.into_any()
    } else {
        view! {
            <ul class="cards">
                {info
                    .requests
                    .into_iter()
                    .map(|r| view! { <RequestCard request=r staff /> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <h1>{i18n.arg("enterprise-heading", "name", &info.name)}</h1>
        <p class="lead">{format!("{} · {}", info.community, info.address)}</p>
        {form}
        <section class="panel">
            <h2>{i18n.t("enterprise-requests")}</h2>
            {requests}
        </section>
    }
    .into_any()
}

#[component]
fn RequestCard(request: RequestLine, staff: bool) -> impl IntoView {
    let i18n = use_i18n();
    let code = if staff {
        view! { <a href=format!("/board/cases/{}", request.code)>{request.code.clone()}</a> }
            .into_any()
    } else {
        view! { <span>{request.code.clone()}</span> }.into_any()
    };
    let filed = if request.mine {
        i18n.arg("enterprise-filed-mine", "at", &request.filed_at)
    } else {
        i18n.arg("enterprise-filed", "at", &request.filed_at)
    };
    view! {
        <li id=request.code.clone() class="card">
            <h3>{request.title}</h3>
            <p class="hint">
                {code} " · " {filed} " · "
                <strong>{i18n.label("case-stage", &request.stage)}</strong>
            </p>
            <p>{request.summary}</p>
            {request
                .outcome
                .map(|outcome| {
                    view! {
                        <p>
                            <strong>{i18n.t("enterprise-outcome")}</strong>
                            " "
                            {outcome}
                        </p>
                    }
                })}
            {request
                .closed_at
                .map(|at| view! { <p class="hint">{i18n.arg("enterprise-closed", "at", &at)}</p> })}
        </li>
    }
}
