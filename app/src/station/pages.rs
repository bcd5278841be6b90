//! /setup (the first start, from the machine itself) and /admin/station. Plain HTML forms
//! posting to their server functions: they work the same before and without the WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::{SaveStation, Setup, StationView, setup_open, station};
use crate::accounts::Role;
use crate::accounts::pages::ForRole;
use crate::error::{DoneNotice, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// 首次启动: the station and the first admin, before anyone can sign in.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let open = Resource::new(|| (), |_| setup_open());
    view! {
        <Title text=i18n.t("setup-title") />
        <Loaded
            resource=open
            view=move |()| {
                view! {
                    <h1>{i18n.t("setup-title")}</h1>
                    <p class="lead">{i18n.t("setup-intro")}</p>
                    <form method="post" action=Setup::PATH class="form">
                        <CsrfField />
                        <FormError path=Setup::PATH />
                        <IdentityFields current=StationView::default() />
                        <h2>{i18n.t("setup-admin")}</h2>
                        <label>
                            {i18n.t("field-phone")}
                            <input
                                type="tel"
                                name="admin_phone"
                                required
                                inputmode="numeric"
                                autocomplete="tel"
                                maxlength="20"
                            />
                        </label>
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
                        <button type="submit" class="button">
                            {i18n.t("setup-submit")}
                        </button>
                    </form>
                }
            }
        />
    }
}

/// Admins: the station's identity, as pages, feeds and certificates name it.
#[component]
pub fn StationPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("station-title") />
        <h1>{i18n.t("station-title")}</h1>
        <ForRole role=Role::Admin view=|_| view! { <StationForm /> } />
    }
}

#[component]
fn StationForm() -> impl IntoView {
    let i18n = use_i18n();
    let current = Resource::new(|| (), |_| station());
    view! {
        <DoneNotice prefix="station-done" />
        <Loaded
            resource=current
            view=move |current| {
                let unset = current.is_none();
                let demo = current.as_ref().is_some_and(|s| s.is_demo);
                view! {
                    {unset.then(|| view! { <p class="lead">{i18n.t("station-unset")}</p> })}
                    {demo.then(|| view! { <p class="lead">{i18n.t("station-demo")}</p> })}
                    <form method="post" action=SaveStation::PATH class="form">
                        <CsrfField />
                        <FormError path=SaveStation::PATH />
                        <IdentityFields current=current.unwrap_or_default() />
                        <button type="submit" class="button">
                            {i18n.t("station-submit")}
                        </button>
                    </form>
                }
            }
        />
    }
}

/// The station's fields, filled with what is stored.
#[component]
fn IdentityFields(current: StationView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label>
            {i18n.t("station-name")}
            <input type="text" name="station[name]" required maxlength="40" value=current.name />
            <small>{i18n.t("station-name-hint")}</small>
        </label>
        <label>
            {i18n.t("station-district")}
            <input
                type="text"
                name="station[district]"
                required
                maxlength="40"
                value=current.district
            /> <small>{i18n.t("station-district-hint")}</small>
        </label>
        <label>
            {i18n.t("station-address")}
            <input
                type="text"
                name="station[address]"
                required
                maxlength="100"
                value=current.address
            />
        </label>
        <label>
            {i18n.t("station-phone")}
            <input type="tel" name="station[phone]" required maxlength="20" value=current.phone />
        </label>
        <label>
            {i18n.t("station-url")}
            <input
                type="url"
                name="station[public_url]"
                required
                maxlength="200"
                placeholder="https://"
                value=current.public_url
            />
        </label>
        <label>
            {i18n.t("station-sender")}
            <input
                type="email"
                name="station[sender]"
                required
                maxlength="100"
                value=current.sender
            /> <small>{i18n.t("station-sender-hint")}</small>
        </label>
        <label>
            {i18n.t("station-area")}
            <input type="text" name="station[area]" maxlength="60" value=current.area_desc />
            <small>{i18n.t("station-area-hint")}</small>
        </label>
    }
}
