//! /login, /register, /me, /admin and /privacy. Every form is a plain HTML form that
//! posts to its server function, so it works the same before and without the WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    AdminAddUser, AdminRevokeRole, ChangePassword, CommunityChoice, DeleteAccount, Login, Logout,
    Register, Role, UserRow, admin_users, register_options, residents_per_community, whoami,
};
use crate::error::{AppError, DoneNotice, ErrorView, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::prefs::{LanguageSwitch, TextSizeSwitch};
use crate::security::CsrfField;

/// The person's own mobile number, as they sign in, register or ask for a code with it.
#[component]
pub fn OwnPhoneField() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            {i18n.t("field-phone")}
            <input
                type="tel"
                name="phone"
                required
                inputmode="numeric"
                autocomplete="tel"
                maxlength="20"
            />
        </label>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text=i18n.t("login-title") />
        <h1>{i18n.t("login-title")}</h1>
        <DoneNotice prefix="login-done" />
        <form method="post" action=Login::PATH class="form">
            <CsrfField />
            <input type="hidden" name="next" value=next />
            <FormError path=Login::PATH />
            <OwnPhoneField />
            <label>
                {i18n.t("field-password")}
                <input type="password" name="password" required autocomplete="current-password" />
            </label>
            <button type="submit" class="button">
                {i18n.t("login-submit")}
            </button>
        </form>
        <p>{i18n.t("login-no-account")} " " <a href="/register">{i18n.t("register-title")}</a></p>
        <p>{i18n.t("login-forgot")} " " <a href="/reset">{i18n.t("reset-title")}</a></p>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let options = Resource::new(|| (), |_| register_options());
    let codes = Resource::new(|| (), |_| super::codes::code_status());
    view! {
        <Title text=i18n.t("register-title") />
        <h1>{i18n.t("register-title")}</h1>
        <p class="lead">{i18n.t("register-intro")}</p>
        <Loaded resource=codes view=|status| view! { <super::codes::RegistrationCode status /> } />
        <form method="post" action=Register::PATH class="form">
            <CsrfField />
            <FormError path=Register::PATH />
            <OwnPhoneField />
            <Loaded
                resource=codes
                view=|status| status.in_use.then(|| view! { <super::codes::CodeField /> })
            />
            <label>
                {i18n.t("field-password")}
                <input
                    type="password"
                    name="password"
                    required
                    minlength="8"
                    autocomplete="new-password"
                /> <small>{i18n.t("field-password-hint")}</small>
            </label>
            <Loaded resource=options view=|choices| view! { <CommunitySelects choices /> } />
            <label class="check">
                <input type="checkbox" name="consent" required />
                <span>
                    {i18n.t("register-consent")} " " <a href="/privacy" target="_blank">
                        {i18n.t("privacy-title")}
                    </a>
                </span>
            </label>
            <button type="submit" class="button">
                {i18n.t("register-submit")}
            </button>
        </form>
        <p>{i18n.t("register-have-account")} " " <a href="/login">{i18n.t("login-title")}</a></p>
    }
}

/// 我的: the account (masked phone, community), my data, password, sign-out, deletion.
#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| whoami());
    let query = use_query_map();
    let done = move || {
        query
            .read()
            .get("done")
            .filter(|d| d == "password")
            .map(|_| i18n.t("me-password-changed"))
    };
    view! {
        <Title text=i18n.t("me-title") />
        <h1>{i18n.t("me-title")}</h1>
        {move || {
            done()
                .map(|text| {
                    view! {
                        <p class="notice-ok" role="status">
                            {text}
                        </p>
                    }
                })
        }}
        <Loaded
            resource=me
            view=move |me| match me {
                Some(me) => view! { <Account me /> }.into_any(),
                None => {
                    view! {
                        <p class="lead">{i18n.t("me-signed-out")}</p>
                        <p class="actions">
                            <a class="button" href="/login">
                                {i18n.t("login-title")}
                            </a>
                            <a class="button secondary" href="/register">
                                {i18n.t("register-title")}
                            </a>
                        </p>
                    }
                        .into_any()
                }
            }
        />
        <section class="panel">
            <h2>{i18n.t("prefs-title")}</h2>
            <p>{i18n.t("prefs-language")}</p>
            <LanguageSwitch />
            <p>{i18n.t("prefs-text-size")}</p>
            <TextSizeSwitch />
        </section>
    }
}

#[component]
fn Account(me: super::Me) -> impl IntoView {
    let i18n = use_i18n();
    let roles = me
        .roles
        .iter()
        .map(|r| i18n.t(&format!("role-{r}")))
        .collect::<Vec<_>>()
        .join("、");
    let is_staff = me.has(crate::accounts::Role::Officer);
    let is_mediator = me.has(crate::accounts::Role::Mediator);
    let keeps_register = is_staff
        || me.has(crate::accounts::Role::Auxiliary)
        || me.has(crate::accounts::Role::GridWorker);
    let is_contact = me.has(crate::accounts::Role::EnterpriseContact);
    view! {
        <section class="panel">
            <h2>{i18n.t("me-account")}</h2>
            <dl class="facts">
                <dt>{i18n.t("field-phone")}</dt>
                <dd data-testid="masked-phone">{me.masked_phone.clone()}</dd>
                <dt>{i18n.t("field-community")}</dt>
                <dd>
                    {match (me.community_id, me.community.clone()) {
                        (Some(id), Some(name)) => {
                            view! { <a href=format!("/communities/{id}")>{name}</a> }.into_any()
                        }
                        _ => i18n.t("community-none").into_any(),
                    }}
                </dd>
                <dt>{i18n.t("field-compound")}</dt>
                <dd>{me.compound.clone().unwrap_or_else(|| i18n.t("community-none"))}</dd>
                <dt>{i18n.t("me-roles")}</dt>
                <dd>{roles}</dd>
            </dl>
            <ul class="plain">
                <li>
                    <a href="/me/inbox">{i18n.t("inbox-title")}</a>
                </li>
                <li>
                    <a href="/mediation">{i18n.t("mediation-mine")}</a>
                </li>
                {is_mediator
                    .then(|| {
                        view! {
                            <li>
                                <a href="/mediation/queue">{i18n.t("queue-title")}</a>
                            </li>
                        }
                    })}
                {keeps_register
                    .then(|| {
                        view! {
                            <li>
                                <a href="/antifraud">{i18n.t("antifraud-title")}</a>
                            </li>
                        }
                    })}
                {is_contact
                    .then(|| {
                        view! {
                            <li>
                                <a href="/enterprise">{i18n.t("enterprise-title")}</a>
                            </li>
                        }
                    })}
                {me
                    .works_cases
                    .then(|| {
                        view! {
                            <li>
                                <a href="/board">{i18n.t("board-title")}</a>
                            </li>
                        }
                    })}
                {is_staff
                    .then(|| {
                        view! {
                            <li>
                                <a href="/counter">{i18n.t("counter-title")}</a>
                            </li>
                            <li>
                                <a href="/admin">{i18n.t("admin-title")}</a>
                            </li>
                        }
                    })}
            </ul>
            <form method="post" action=Logout::PATH>
                <CsrfField />
                <button type="submit" class="button secondary">
                    {i18n.t("logout-submit")}
                </button>
            </form>
        </section>
        <section class="panel">
            <h2>{i18n.t("me-my-data")}</h2>
            <p>{i18n.t("me-my-data-hint")}</p>
            <p>
                <a class="button secondary" href="/me/data.json" download="my-data.json">
                    {i18n.t("me-download")}
                </a>
            </p>
        </section>
        <super::codes::VerifyPanel />
        <crate::outbox::ChannelsPanel />
        <crate::calendar::CalendarPanel />
        <section class="panel">
            <h2>{i18n.t("me-change-password")}</h2>
            <form method="post" action=ChangePassword::PATH class="form">
                <CsrfField />
                <FormError path=ChangePassword::PATH />
                <label>
                    {i18n.t("field-old-password")}
                    <input type="password" name="old" required autocomplete="current-password" />
                </label>
                <label>
                    {i18n.t("field-new-password")}
                    <input
                        type="password"
                        name="new"
                        required
                        minlength="8"
                        autocomplete="new-password"
                    />
                </label>
                <button type="submit" class="button">
                    {i18n.t("me-change-password")}
                </button>
            </form>
        </section>
        <section class="panel danger">
            <h2>{i18n.t("me-delete")}</h2>
            <p>{i18n.t("me-delete-what")}</p>
            <p>{i18n.t("me-delete-kept")}</p>
            <form method="post" action=DeleteAccount::PATH class="form">
                <CsrfField />
                <FormError path=DeleteAccount::PATH />
                <label>
                    {i18n.t("field-password")}
                    <input
                        type="password"
                        name="password"
                        required
                        autocomplete="current-password"
                    />
                </label>
                <button type="submit" class="button danger">
                    {i18n.t("me-delete-submit")}
                </button>
            </form>
        </section>
    }
}

/// What only holders of `role` may see: a signed-out reader is offered the sign-in, anyone
/// else is told they may not (each with its status, by `ErrorView`). Every server function
/// the view calls checks the role again.
#[component]
pub fn ForRole<V, F>(role: Role, view: F) -> impl IntoView
where
    V: IntoView + 'static,
    F: Fn(super::Me) -> V + Clone + Send + Sync + 'static,
{
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Loaded
            resource=me
            view=move |me| match me {
                None => view! { <ErrorView error=AppError::Unauthorized /> }.into_any(),
                Some(me) if !me.has(role) => {
                    view! { <ErrorView error=AppError::Forbidden /> }.into_any()
                }
                Some(me) => view(me).into_any(),
            }
        />
    }
}

/// Station staff: residents per community (officers), accounts and roles (admins).
#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("admin-title") />
        <h1>{i18n.t("admin-title")}</h1>
        <ForRole role=Role::Officer view=|me| view! { <StaffPanels admin=me.has(Role::Admin) /> } />
    }
}

#[component]
fn StaffPanels(admin: bool) -> impl IntoView {
    let residents = Resource::new(|| (), |_| residents_per_community());
    let users = admin.then(|| Resource::new(|| (), |_| admin_users()));
    view! {
        <p>
            <a href="/counter">{use_i18n().t("counter-title")}</a>
        </p>
        <Loaded resource=residents view=|rows| view! { <ResidentsTable rows /> } />
        {users
            .map(|users| view! { <Loaded resource=users view=|rows| view! { <Users rows /> } /> })}
        {admin
            .then(|| {
                view! {
                    <section class="panel">
                        <h2>{use_i18n().t("admin-records")}</h2>
                        <ul>
                            <li>
                                <a href="/admin/directory">
                                    {use_i18n().t("directory-admin-title")}
                                </a>
                            </li>
                            <li>
                                <a href="/admin/members">{use_i18n().t("admin-members")}</a>
                            </li>
                            <li>
                                <a href="/admin/school-calendar">
                                    {use_i18n().t("school-calendar-title")}
                                </a>
                            </li>
                            <li>
                                <a href="/admin/audit">{use_i18n().t("admin-log")}</a>
                            </li>
                        </ul>
                    </section>
                    <section class="panel">
                        <h2>{use_i18n().t("station-title")}</h2>
                        <p>
                            <a href="/admin/station">{use_i18n().t("station-edit")}</a>
                        </p>
                        <p>
                            <a href="/admin/record">{use_i18n().t("reported-title")}</a>
                        </p>
                    </section>
                    <section class="panel">
                        <h2>{use_i18n().t("admin-assign-mediator")}</h2>
                        <crate::mediation::pages::AssignMediatorForm />
                    </section>
                    <crate::teahouse::admin::TeahouseAdmin />
                }
            })}
    }
}

/// 隐私说明: what is collected and why (PIPL); registration records its version.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let station = Resource::new(|| (), |_| crate::station::station());
    view! {
        <Title text=i18n.t("privacy-title") />
        <h1>{i18n.t("privacy-title")}</h1>
        <p class="meta">{i18n.t("privacy-version")} " " {super::PRIVACY_NOTICE_VERSION}</p>
        <p>{i18n.t("privacy-collect")}</p>
        <p>{i18n.t("privacy-use")}</p>
        <p>{i18n.t("privacy-show")}</p>
        <p>{i18n.t("privacy-rights")}</p>
        <Loaded
            resource=station
            view=move |station| {
                let controller = match station {
                    Some(s) => {
                        i18n.args(
                            "privacy-controller",
                            &[
                                ("name", &s.name),
                                ("address", &s.address),
                                ("phone", &s.phone),
                                ("url", &s.public_url),
                            ],
                        )
                    }
                    None => i18n.t("privacy-controller-unset"),
                };
                view! { <p data-testid="privacy-controller">{controller}</p> }
            }
        />
    }
}

/// The community and compound choices of the registration form (and the counter's).
#[component]
pub(crate) fn CommunitySelects(choices: Vec<CommunityChoice>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            {i18n.t("field-community")} <select name="community" required>
                <option value="">{i18n.t("field-choose")}</option>
                {choices
                    .iter()
                    .map(|c| view! { <option value=c.id>{c.name.clone()}</option> })
                    .collect_view()}
            </select>
        </label>
        <label>
            {i18n.t("field-compound")} <select name="compound">
                <option value="">{i18n.t("field-choose-later")}</option>
                {choices
                    .into_iter()
                    .map(|c| {
                        view! {
                            <optgroup label=c
                                .name>
                                {c
                                    .compounds
                                    .into_iter()
                                    .map(|(id, name)| view! { <option value=id>{name}</option> })
                                    .collect_view()}
                            </optgroup>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn ResidentsTable(rows: Vec<(String, u64)>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel">
            <h2>{i18n.t("admin-residents")}</h2>
            <table>
                {rows
                    .into_iter()
                    .map(|(name, n)| {
                        view! {
                            <tr>
                                <td>{name}</td>
                                <td>{n}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
        </section>
    }
}

/// Admins: add a user, grant or take back a role, and the list of accounts.
#[component]
fn Users(rows: Vec<UserRow>) -> impl IntoView {
    let i18n = use_i18n();
    let role_names = move |roles: &[super::Role]| {
        roles
            .iter()
            .map(|r| i18n.t(&format!("role-{r}")))
            .collect::<Vec<_>>()
            .join("、")
    };
    view! {
        <section class="panel">
            <h2>{i18n.t("admin-add-user")}</h2>
            <form method="post" action=AdminAddUser::PATH class="form">
                <CsrfField />
                <FormError path=AdminAddUser::PATH />
                <label>{i18n.t("field-phone")} <input type="tel" name="phone" required /></label>
                <label>
                    {i18n.t("field-password")}
                    <input type="password" name="password" autocomplete="new-password" />
                    <small>{i18n.t("admin-password-hint")}</small>
                </label>
                <RoleSelect />
                <button type="submit" class="button">
                    {i18n.t("admin-add-submit")}
                </button>
            </form>
        </section>
        <section class="panel">
            <h2>{i18n.t("admin-revoke-role")}</h2>
            <form method="post" action=AdminRevokeRole::PATH class="form">
                <CsrfField />
                <FormError path=AdminRevokeRole::PATH />
                <p>{i18n.t("admin-revoke-hint")}</p>
                <label>{i18n.t("field-phone")} <input type="tel" name="phone" required /></label>
                <RoleSelect />
                <button type="submit" class="button secondary">
                    {i18n.t("admin-revoke-submit")}
                </button>
            </form>
        </section>
        <section class="panel">
            <h2>{i18n.t("admin-users")}</h2>
            <table>
                {rows
                    .into_iter()
                    .map(|u| {
                        view! {
                            <tr>
                                <td>{u.phone}</td>
                                <td>{role_names(&u.roles)}</td>
                                <td>{u.created_at}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
        </section>
    }
}

/// The six roles, for the admin's forms.
#[component]
fn RoleSelect() -> impl IntoView {
    let i18n = use_i18n();
    let roles = [
        "resident",
        "volunteer",
        "mediator",
        "liaison",
        "officer",
        "admin",
    ];
    view! {
        <label>
            {i18n.t("me-roles")}
            <select name="role">
                {roles
                    .iter()
                    .map(|r| view! { <option value=*r>{i18n.t(&format!("role-{r}"))}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
