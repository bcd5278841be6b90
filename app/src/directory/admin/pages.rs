//! /admin/directory and its pages: the list, a new organisation, one organisation (its
//! fields, retiring, its people), the upload of a directory file and its preview. Plain
//! HTML forms posting to server functions (the upload to the server's own route): they
//! work the same before and without the WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    AddPerson, ApplyImport, Choices, CreateOrg, EXPORT_PATH, OrgForm, OrgInfo, OrgLine, PersonLine,
    PreviewInfo, RemovePerson, RestoreOrg, RetireOrg, SaveOrg, UPLOAD_PATH, directory_list,
    import_preview, new_org_choices, org_detail,
};
use crate::accounts::Role;
use crate::accounts::pages::ForRole;
use crate::error::{AppError, DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// The kinds in the order the list shows them (the domain's order: parents first).
const KINDS: [&str; 7] = [
    "police_office",
    "community",
    "compound",
    "aid_station",
    "mediation_room",
    "liaison_room",
    "squad",
];

fn crumbs() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
            " › "
            <a href="/admin/directory">{i18n.t("directory-admin-title")}</a>
        </p>
    }
}

/// Every organisation, kind by kind, with links to add one, to each one's page, and to
/// the file's import and export.
#[component]
pub fn DirectoryAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| directory_list());
    view! {
        <Title text=i18n.t("directory-admin-title") />
        <p class="crumbs">
            <a href="/admin">{i18n.t("admin-title")}</a>
        </p>
        <h1>{i18n.t("directory-admin-title")}</h1>
        <p class="lead">{i18n.t("directory-admin-intro")}</p>
        <p>
            <a class="button" href="/admin/directory/import">
                {i18n.t("directory-import-title")}
            </a>
            " "
            <a class="button secondary" href=EXPORT_PATH download="directory.csv">
                {i18n.t("directory-export")}
            </a>
        </p>
        <Loaded resource=list view=|lines| view! { <KindSections lines /> } />
    }
}

#[component]
fn KindSections(lines: Vec<OrgLine>) -> impl IntoView {
    let i18n = use_i18n();
    KINDS
        .iter()
        .map(|kind| {
            let own: Vec<OrgLine> = lines.iter().filter(|l| l.kind == *kind).cloned().collect();
            view! {
                <section class="panel" id=format!("kind-{kind}")>
                    <h2>{i18n.label("directory-kind", kind)}</h2>
                    <p>
                        <a href=format!(
                            "/admin/directory/new/{kind}",
                        )>
                            {i18n.arg("directory-new", "kind", &i18n.label("directory-kind", kind))}
                        </a>
                    </p>
                    <table>
                        {own
                            .into_iter()
                            .map(|line| {
                                let href = format!(
                                    "/admin/directory/org/{}/{}",
                                    line.kind,
                                    line.id,
                                );
                                let retired = line.retired.is_some();
                                view! {
                                    <tr class:retired=retired>
                                        <td>
                                            <a href=href>{line.name}</a>
                                        </td>
                                        <td>{line.parent.unwrap_or_default()}</td>
                                        <td>
                                            {line
                                                .retired
                                                .map(|at| i18n.arg("directory-retired-at", "at", &at))}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </table>
                </section>
            }
        })
        .collect_view()
}

/// A new organisation of the kind in the path.
#[component]
pub fn NewOrgPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let kind = move || params.read().get("kind").unwrap_or_default();
    let choices = Resource::new(kind, new_org_choices);
    view! {
        <Title text=i18n.t("directory-admin-title") />
        {crumbs()}
        <Loaded
            resource=choices
            view=move |choices: Choices| {
                let kind_name = i18n.label("directory-kind", &choices.kind);
                view! {
                    <h1>{i18n.arg("directory-new", "kind", &kind_name)}</h1>
                    <form method="post" action=CreateOrg::PATH class="form">
                        <CsrfField />
                        <FormError path=CreateOrg::PATH />
                        <input type="hidden" name="kind" value=choices.kind.clone() />
                        <OrgFields choices current=OrgForm::default() />
                        <button type="submit" class="button">
                            {i18n.t("directory-create")}
                        </button>
                    </form>
                }
            }
        />
    }
}

/// The fields of an organisation's form, as its kind keeps them, filled with `current`.
#[component]
fn OrgFields(choices: Choices, current: OrgForm) -> impl IntoView {
    let i18n = use_i18n();
    let has = |field: &str| choices.fields.iter().any(|f| f == field);
    let text = move |field: &'static str, value: Option<String>, max: &'static str| {
        view! {
            <label>
                {i18n.label("directory-field", field)}
                <input
                    type="text"
                    name=format!("org[{field}]")
                    maxlength=max
                    value=value.unwrap_or_default()
                />
            </label>
        }
    };
    let parent = (!choices.parents.is_empty() || choices.parent_required).then(|| {
        let selected = current.parent.clone().unwrap_or_default();
        let none = if choices.parent_required {
            i18n.t("field-choose")
        } else {
            i18n.label("directory-no-parent", &choices.kind)
        };
        view! {
            <label>
                {i18n.label("directory-parent", &choices.kind)}
                <select name="org[parent]" required=choices.parent_required>
                    <option value="">{none}</option>
                    {choices
                        .parents
                        .iter()
                        .map(|(id, name)| {
                            let value = id.to_string();
                            let chosen = value == selected;
                            view! {
                                <option value=value selected=chosen>
                                    {name.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    });
    let compound = (!choices.compounds.is_empty()).then(|| {
        let selected = current.compound.clone().unwrap_or_default();
        view! {
            <label>
                {i18n.t("directory-compound")} <select name="org[compound]">
                    <option value="">{i18n.t("directory-no-compound")}</option>
                    {choices
                        .compounds
                        .iter()
                        .map(|(id, name, community)| {
                            let value = id.to_string();
                            let chosen = value == selected;
                            let community = choices
                                .parents
                                .iter()
                                .find(|(c, _)| c == community)
                                .map(|(_, n)| n.clone())
                                .unwrap_or_default();
                            view! {
                                <option value=value selected=chosen>
                                    {format!("{community}/{name}")}
                                </option>
                            }
                        })
                        .collect_view()}
                </select> <small>{i18n.t("directory-compound-hint")}</small>
            </label>
        }
    });
    view! {
        <label>
            {i18n.t("directory-name")}
            <input type="text" name="org[name]" required maxlength="40" value=current.name />
        </label>
        {parent}
        {compound}
        {has("address").then(|| text("address", current.address, "100"))}
        {has("hours").then(|| text("hours", current.hours, "100"))}
        {has("phone").then(|| text("phone", current.phone, "20"))}
        {has("description").then(|| text("description", current.description, "200"))}
        {has("initiator").then(|| text("initiator", current.initiator, "40"))}
        {has("coordinator").then(|| text("coordinator", current.coordinator, "40"))}
        {has("officer").then(|| text("officer", current.officer, "40"))}
    }
}

/// One organisation: change it, retire or restore it, and its people.
#[component]
pub fn OrgPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let key = move || {
        let params = params.read();
        (
            params.get("kind").unwrap_or_default(),
            params.get("id").and_then(|id| id.parse::<i32>().ok()),
        )
    };
    let detail = Resource::new(key, |(kind, id)| async move {
        match id {
            Some(id) => org_detail(kind, id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text=i18n.t("directory-admin-title") />
        {crumbs()}
        <DoneNotice prefix="directory-done" />
        <Loaded resource=detail view=|detail| view! { <OrgSections detail /> } />
    }
}

#[component]
fn OrgSections(detail: OrgInfo) -> impl IntoView {
    let i18n = use_i18n();
    let kind = detail.choices.kind.clone();
    let id = detail.id.to_string();
    let state = match &detail.retired {
        Some(at) => view! {
            <section class="panel">
                <p class="lead">{i18n.arg("directory-retired-at", "at", at)}</p>
                <p>{i18n.t("directory-retired-hint")}</p>
                <form method="post" action=RestoreOrg::PATH>
                    <CsrfField />
                    <FormError path=RestoreOrg::PATH />
                    <input type="hidden" name="kind" value=kind.clone() />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="button secondary">
                        {i18n.t("directory-restore")}
                    </button>
                </form>
            </section>
        }
        .into_any(),
        None => view! {
            <form method="post" action=SaveOrg::PATH class="form">
                <CsrfField />
                <FormError path=SaveOrg::PATH />
                <input type="hidden" name="kind" value=kind.clone() />
                <input type="hidden" name="id" value=id.clone() />
                <OrgFields choices=detail.choices.clone() current=detail.form.clone() />
                <button type="submit" class="button">
                    {i18n.t("directory-save")}
                </button>
            </form>
            <section class="panel">
                <h2>{i18n.t("directory-retire")}</h2>
                <p>{i18n.t("directory-retire-hint")}</p>
                <form method="post" action=RetireOrg::PATH>
                    <CsrfField />
                    <FormError path=RetireOrg::PATH />
                    <input type="hidden" name="kind" value=kind.clone() />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="button danger">
                        {i18n.t("directory-retire")}
                    </button>
                </form>
            </section>
        }
        .into_any(),
    };
    let people = detail.people.map(|people| {
        view! {
            <People
                kind=kind.clone()
                id=id.clone()
                people
                roles=detail.roles.clone()
                open=detail.retired.is_none()
            />
        }
    });
    view! {
        <h1>{detail.form.name.clone()}</h1>
        <p class="meta">{i18n.label("directory-kind", &kind)}</p>
        {state}
        {people}
    }
}

/// The organisation's people, each with a form that ends the membership, and a form that
/// adds one while it is in service.
#[component]
fn People(
    kind: String,
    id: String,
    people: Vec<PersonLine>,
    roles: Vec<String>,
    open: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let squad = kind == "squad";
    let rows = if people.is_empty() {
        view! { <p>{i18n.t("directory-people-none")}</p> }.into_any()
    } else {
        view! {
            <table data-testid="people">
                {people
                    .into_iter()
                    .map(|p| {
                        let label = match (p.leader, p.name.is_empty()) {
                            (true, _) => format!("{} · {}", p.name, i18n.t("directory-leader")),
                            (false, true) if roles.len() > 1 => i18n.label("role", &p.role),
                            (false, true) => String::new(),
                            (false, false) => p.name.clone(),
                        };
                        // Where the role is chosen, it is what tells people apart.
                        view! {
                            <tr>
                                <td>{p.phone.clone()}</td>
                                <td>{label}</td>
                                <td>
                                    <form method="post" action=RemovePerson::PATH>
                                        <CsrfField />
                                        <input type="hidden" name="kind" value=kind.clone() />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <input type="hidden" name="phone" value=p.phone />
                                        <button type="submit" class="button secondary">
                                            {i18n.t("directory-person-remove")}
                                        </button>
                                    </form>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
        }
        .into_any()
    };
    let add = open.then(|| {
        view! {
            <form method="post" action=AddPerson::PATH class="form">
                <CsrfField />
                <FormError path=AddPerson::PATH />
                <input type="hidden" name="kind" value=kind.clone() />
                <input type="hidden" name="id" value=id.clone() />
                <label>
                    {i18n.t("field-phone")}
                    <input type="tel" name="phone" required inputmode="numeric" maxlength="20" />
                </label>
                {squad
                    .then(|| {
                        view! {
                            <label>
                                {i18n.t("directory-person-name")}
                                <input type="text" name="name" required maxlength="40" />
                            </label>
                            <label class="check">
                                <input type="checkbox" name="leader" value="yes" />
                                {i18n.t("directory-leader")}
                            </label>
                        }
                    })}
                {match roles.as_slice() {
                    [role] => {
                        view! {
                            <p class="meta">
                                {i18n
                                    .arg(
                                        "directory-person-role",
                                        "role",
                                        &i18n.label("role", role),
                                    )}
                            </p>
                        }
                            .into_any()
                    }
                    several => {
                        view! {
                            <label>
                                {i18n.t("directory-person-as")}
                                <select name="role">
                                    {several
                                        .iter()
                                        .map(|r| {
                                            view! {
                                                <option value=r.clone()>{i18n.label("role", r)}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                        }
                            .into_any()
                    }
                }}
                <button type="submit" class="button">
                    {i18n.t("directory-person-add")}
                </button>
            </form>
        }
    });
    view! {
        <section class="panel">
            <h2>{i18n.t("directory-people")}</h2>
            <FormError path=RemovePerson::PATH />
            {rows}
            {add}
        </section>
    }
}

/// The upload of a directory file, with its format and the export. Admins only.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("directory-import-title") />
        {crumbs()}
        <h1>{i18n.t("directory-import-title")}</h1>
        <ForRole role=Role::Admin view=|_| view! { <UploadForm /> } />
    }
}

#[component]
fn UploadForm() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // The upload route comes back with `error=<key>` when it refuses the file.
    let error = move || {
        query
            .read()
            .get("error")
            .filter(|key| crate::i18n::is_key(key))
            .map(|key| {
                view! {
                    <p class="form-error" role="alert">
                        {i18n.t(&key)}
                    </p>
                }
            })
    };
    view! {
        <p class="lead">{i18n.t("directory-import-intro")}</p>
        <form method="post" action=UPLOAD_PATH enctype="multipart/form-data" class="form">
            <CsrfField />
            {error}
            <label>
                {i18n.t("directory-import-file")}
                <input type="file" name="file" required accept=".csv,text/csv" />
                <small>{i18n.t("directory-import-file-hint")}</small>
            </label>
            <button type="submit" class="button">
                {i18n.t("directory-import-preview")}
            </button>
        </form>
        <section class="panel">
            <h2>{i18n.t("directory-format")}</h2>
            <p>{i18n.t("directory-format-columns")}</p>
            <p>{i18n.t("directory-format-kinds")}</p>
            <p>{i18n.t("directory-format-parent")}</p>
            <p>{i18n.t("directory-format-match")}</p>
            <pre>
                "类型,名称,上级,地址,开放时间,电话,说明,党员骨干,协调员,治安指导员,状态\n"
                "警务室,海港警务室,,海港路1号,,,渔港治安,,,,\n"
                "社区,海港社区,海港警务室,,,,,,,,\n"
                "小区,渔港新村,海港社区,,,,,,,,\n"
                "互助站,渔港新村自治互助站,海港社区/渔港新村,,,,,李建国,王秀英,陈警官,\n"
                "调解室,海港调解室,海港社区,海港路3号,周一至周五 9:00-17:00,0574-8600 0000,,,,,\n"
            </pre>
            <p>
                <a href=EXPORT_PATH download="directory.csv">
                    {i18n.t("directory-export")}
                </a>
            </p>
        </section>
    }
}

/// What applying an uploaded file would do: rows to create and to update, every problem
/// with its line, and the button that applies it all (there only when nothing is wrong).
#[component]
pub fn ImportPreviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i32>().ok())
    };
    let preview = Resource::new(id, |id| async move {
        match id {
            Some(id) => import_preview(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text=i18n.t("directory-preview-title") />
        {crumbs()}
        <h1>{i18n.t("directory-preview-title")}</h1>
        <DoneNotice prefix="directory-done" />
        <FormError path=ApplyImport::PATH />
        <Loaded resource=preview view=|preview| view! { <PreviewSections preview /> } />
    }
}

#[component]
fn PreviewSections(preview: PreviewInfo) -> impl IntoView {
    let i18n = use_i18n();
    let list = move |lines: Vec<super::PreviewLine>, testid: &'static str| {
        view! {
            <ul class="plain" data-testid=testid>
                {lines
                    .into_iter()
                    .map(|l| {
                        view! {
                            <li>
                                {i18n.arg("directory-line", "line", &l.line.to_string())} " "
                                {i18n.label("directory-kind", &l.kind)} " · " {l.name}
                                {l
                                    .retired
                                    .then(|| {
                                        view! {
                                            " · "
                                            {i18n.t("directory-status-retired")}
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    };
    let applicable = preview.problems.is_empty() && preview.applied.is_none();
    let summary = i18n.args(
        "directory-preview-summary",
        &[
            ("created", &preview.created.len().to_string()),
            ("updated", &preview.updated.len().to_string()),
            ("unchanged", &preview.unchanged.to_string()),
            ("problems", &preview.problems.len().to_string()),
        ],
    );
    view! {
        <p class="lead" data-testid="preview-summary">
            {summary}
        </p>
        <p class="meta">{i18n.label("directory-encoding", &preview.encoding)}</p>
        {preview
            .applied
            .clone()
            .map(|at| {
                view! { <p class="notice-ok">{i18n.arg("directory-applied-at", "at", &at)}</p> }
            })}
        {(!preview.problems.is_empty())
            .then(|| {
                view! {
                    <section class="panel">
                        <h2>{i18n.t("directory-problems")}</h2>
                        <p>{i18n.t("directory-problems-hint")}</p>
                        <ul class="plain" data-testid="problems">
                            {preview
                                .problems
                                .iter()
                                .map(|p| {
                                    view! {
                                        <li class="form-error">
                                            {format!(
                                                "{} {}",
                                                i18n.arg("directory-line", "line", &p.line.to_string()),
                                                i18n.arg(&p.code, "value", &p.value),
                                            )}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        {applicable
            .then(|| {
                view! {
                    <form method="post" action=ApplyImport::PATH>
                        <CsrfField />
                        <input type="hidden" name="id" value=preview.id.to_string() />
                        <button type="submit" class="button">
                            {i18n.t("directory-apply")}
                        </button>
                    </form>
                }
            })}
        <section class="panel">
            <h2>{i18n.t("directory-to-create")}</h2>
            {list(preview.created, "to-create")}
        </section>
        <section class="panel">
            <h2>{i18n.t("directory-to-update")}</h2>
            {list(preview.updated, "to-update")}
        </section>
        <p>
            <a href="/admin/directory/import">{i18n.t("directory-import-again")}</a>
        </p>
    }
}
