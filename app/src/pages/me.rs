use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;
use crate::prefs::{LanguageSwitch, TextSizeSwitch};

/// 我的. Accounts arrive with their own feature; the display settings live here already.
#[component]
pub fn MePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("me-title") />
        <h1>{i18n.t("me-title")}</h1>
        <p class="lead">{i18n.t("me-intro")}</p>
        <section class="panel">
            <h2>{i18n.t("prefs-title")}</h2>
            <p>{i18n.t("prefs-language")}</p>
            <LanguageSwitch />
            <p>{i18n.t("prefs-text-size")}</p>
            <TextSizeSwitch />
        </section>
    }
}
