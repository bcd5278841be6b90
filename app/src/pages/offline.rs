use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;

/// 没有网络: what the service worker shows for a page it cannot fetch and has not kept. It
/// is kept at install, so it says plainly what still works without a network.
#[component]
pub fn OfflinePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("offline-title") />
        <h1>{i18n.t("offline-title")}</h1>
        <section class="panel">
            <p>{i18n.t("offline-intro")}</p>
            <ul>
                <li>{i18n.t("offline-notices")}</li>
                <li>{i18n.t("offline-own")}</li>
                <li>{i18n.t("offline-forms")}</li>
                <li>{i18n.t("offline-urgent")}</li>
            </ul>
            <p>
                <a class="button" href="/notices">
                    {i18n.t("offline-to-notices")}
                </a>
                <a class="button secondary" href="/mediation">
                    {i18n.t("offline-to-own")}
                </a>
                <a class="button secondary" href="/volunteers">
                    {i18n.t("volunteers-title")}
                </a>
            </p>
        </section>
    }
}
