use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;

/// 安全提示. Publishing arrives with the notices feature; until then the list is empty.
#[component]
pub fn NoticesPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t("notices-title") />
        <h1>{i18n.t("notices-title")}</h1>
        <p class="lead">{i18n.t("notices-intro")}</p>
        <p class="empty">{i18n.t("notices-empty")}</p>
    }
}
