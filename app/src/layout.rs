//! The frame around every page: header with the display switches, the demo banner, and
//! the bottom navigation a thumb can reach.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::prefs::{ContrastSwitch, LanguageSwitch, TextSizeSwitch};

/// Whether the database holds demo data, so every page can say so.
#[server(endpoint = "demo-mode")]
pub async fn demo_mode() -> Result<bool, AppError> {
    let db = crate::state::db()?;
    Ok(domain::demo::is_loaded(&db).await?)
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let demo = Resource::new(|| (), |_| demo_mode());
    let unread = Resource::new(|| (), |_| crate::inbox::unread_count());
    let station = Resource::new(|| (), |_| crate::station::station());
    view! {
        <a class="skip" href="#main">
            {i18n.t("skip-to-content")}
        </a>
        <header class="top">
            <a href="/" class="brand">
                <strong>{i18n.t("site-name")}</strong>
                <small>
                    <Suspense>
                        {move || {
                            station
                                .get()
                                .map(|s| match s.ok().flatten() {
                                    Some(s) => {
                                        i18n.arg("site-tagline-station", "district", &s.district)
                                    }
                                    None => i18n.t("site-tagline"),
                                })
                        }}
                    </Suspense>
                </small>
            </a>
            <div class="prefs">
                <LanguageSwitch />
                <TextSizeSwitch />
                <ContrastSwitch />
            </div>
        </header>
        <Suspense>
            {move || {
                demo.get()
                    .and_then(Result::ok)
                    .filter(|on| *on)
                    .map(|_| view! { <p class="demo-banner">{i18n.t("demo-banner")}</p> })
            }}
        </Suspense>
        <main id="main">{children()}</main>
        <nav class="tabs" aria-label=i18n.t("nav-main")>
            <A href="/" exact=true>
                {i18n.t("nav-home")}
            </A>
            <A href="/mediation">{i18n.t("nav-mediation")}</A>
            <A href="/teahouse">{i18n.t("nav-teahouse")}</A>
            <A href="/notices">{i18n.t("nav-notices")}</A>
            <A href="/me">
                {i18n.t("nav-me")}
                <Suspense>
                    {move || {
                        unread
                            .get()
                            .and_then(Result::ok)
                            .flatten()
                            .map(|initial| {
                                view! {
                                    <crate::inbox::UnreadBadge
                                        initial
                                        label=i18n.t("inbox-unread")
                                    />
                                }
                            })
                    }}
                </Suspense>
            </A>
        </nav>
    }
}
