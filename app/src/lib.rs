//! The 家警务 portal's pages, components and server functions. Built twice: with `ssr`
//! for the server, and with `hydrate` for the browser, where only the islands run.

pub mod accounts;
pub mod antifraud;
pub mod calendar;
pub mod casework;
pub mod directory;
pub mod enterprises;
pub mod error;
pub mod files;
pub mod i18n;
pub mod inbox;
pub mod layout;
pub mod markup;
pub mod mediation;
pub mod notices;
pub mod outbox;
pub mod pager;
pub mod pages;
pub mod prefs;
pub mod read_aloud;
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;
pub mod station;
pub mod teahouse;
pub mod volunteers;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::error::{AppError, ErrorView};
use crate::i18n::{I18n, use_i18n};
use crate::prefs::Prefs;

/// The route's `:id`, or 0 (which no row has, so the page says "not found").
pub(crate) fn id_param() -> Memo<i32> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse().ok())
            .unwrap_or(0)
    })
}

/// The HTML document. Preferences are read here so `<html lang>` and the text size are
/// right in the first byte the browser gets.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let prefs = Prefs::current();
    #[cfg(feature = "ssr")]
    content_security_policy();
    #[cfg(feature = "ssr")]
    provide_context(security::ssr::page_token());
    provide_context(prefs);
    provide_context(I18n {
        locale: prefs.locale,
    });
    view! {
        <!DOCTYPE html>
        <html
            lang=prefs.locale.tag()
            class:large=prefs.text == prefs::TextSize::Large
            class:larger=prefs.text == prefs::TextSize::Larger
            class:contrast=prefs.contrast
        >
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1d4e89" />
                <HashedStylesheet options=options.clone() />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/192.png" />
                <script src="/pwa.js" defer nonce=leptos::nonce::use_nonce()></script>
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// A strict policy for every page: scripts only with this response's nonce (and what
/// they load), no inline styles, no framing.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    use axum::http::{HeaderValue, header::CONTENT_SECURITY_POLICY};

    leptos::nonce::provide_nonce();
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'",
        nonce.as_inner()
    );
    match HeaderValue::from_str(&policy) {
        Ok(value) => response.insert_header(CONTENT_SECURITY_POLICY, value),
        Err(e) => tracing::error!(%e, "content security policy is not a valid header"),
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = use_i18n();
    // Every route waits for its data on the server: the page is whole before any script runs.
    view! {
        <Title formatter=move |page: String| format!("{page} · {}", i18n.t("site-name")) />
        <Router>
            <layout::Layout>
                <Routes fallback=|| view! { <ErrorView error=AppError::NotFound /> }>
                    <Route path=path!("/") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/communities")
                        view=directory::CommunitiesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/communities/:id")
                        view=directory::CommunityPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/mediation")
                        view=mediation::pages::MediationPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/mediation/new")
                        view=mediation::pages::RequestPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/mediation/cases/:code")
                        view=mediation::pages::CasePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/mediation/video/:code")
                        view=mediation::video::VideoRoomPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/mediation/queue")
                        view=mediation::pages::QueuePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/mediation/rooms/:id/schedule")
                        view=mediation::pages::SchedulePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/stats")
                        view=mediation::pages::StatsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/board")
                        view=casework::pages::BoardPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/board/new")
                        view=casework::pages::OpenCasePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/board/figures")
                        view=casework::figures::FiguresPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/board/colours")
                        view=casework::pages::ColoursPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/board/deadlines")
                        view=casework::pages::DeadlinesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/board/cases/:code")
                        view=casework::pages::CasePage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/me/inbox") view=inbox::InboxPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/teahouse")
                        view=teahouse::pages::TeahousePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/teahouse/search")
                        view=teahouse::pages::SearchPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/teahouse/moderation")
                        view=teahouse::moderation::ModerationPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/teahouse/b/:id")
                        view=teahouse::pages::BoardPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/teahouse/b/:id/new")
                        view=teahouse::pages::NewThreadPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/teahouse/t/:id")
                        view=teahouse::pages::ThreadPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices")
                        view=notices::pages::NoticesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices/archive")
                        view=notices::pages::ArchivePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices/desk")
                        view=notices::pages::DeskPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices/outbox")
                        view=outbox::OutboxPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices/new")
                        view=notices::pages::EditorPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices/:id")
                        view=notices::pages::NoticePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/notices/:id/edit")
                        view=notices::pages::EditorPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/volunteers")
                        view=volunteers::pages::VolunteersPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/volunteers/apply")
                        view=volunteers::pages::ApplyPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/volunteers/help")
                        view=volunteers::help::HelpPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/volunteers/lead")
                        view=volunteers::pages::LeadPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/volunteers/shifts/:id")
                        view=volunteers::pages::RosterPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/volunteers/hours")
                        view=volunteers::pages::HoursPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/me") view=accounts::pages::MePage ssr=SsrMode::Async />
                    <Route
                        path=path!("/login")
                        view=accounts::pages::LoginPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/register")
                        view=accounts::pages::RegisterPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/reset")
                        view=accounts::counter::ResetPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/counter")
                        view=accounts::counter::CounterPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin")
                        view=accounts::pages::AdminPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/antifraud")
                        view=antifraud::pages::AntifraudPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/antifraud/compounds/:id")
                        view=antifraud::pages::CompoundPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/antifraud/households/:id")
                        view=antifraud::pages::HouseholdPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/school-calendar")
                        view=volunteers::school::SchoolCalendarPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/enterprise")
                        view=enterprises::pages::OwnEnterprisePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/enterprises/:id")
                        view=enterprises::pages::EnterprisePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/members")
                        view=accounts::admin::MembersPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/audit")
                        view=accounts::admin::AuditPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/directory")
                        view=directory::admin::pages::DirectoryAdminPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/directory/new/:kind")
                        view=directory::admin::pages::NewOrgPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/directory/org/:kind/:id")
                        view=directory::admin::pages::OrgPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/directory/import")
                        view=directory::admin::pages::ImportPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/directory/import/:id")
                        view=directory::admin::pages::ImportPreviewPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/station")
                        view=station::pages::StationPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/admin/record")
                        view=station::record::RecordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/setup") view=station::pages::SetupPage ssr=SsrMode::Async />
                    <Route path=path!("/offline") view=pages::offline::OfflinePage />
                    <Route
                        path=path!("/privacy")
                        view=accounts::pages::PrivacyPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </layout::Layout>
        </Router>
    }
}
