use leptos::prelude::*;
use leptos_meta::Title;

use crate::directory::list_squads;
use crate::error::Loaded;
use crate::i18n::use_i18n;

/// 老王帮帮团 and its squads.
#[component]
pub fn VolunteersPage() -> impl IntoView {
    let i18n = use_i18n();
    let squads = Resource::new(|| (), |_| list_squads());
    view! {
        <Title text=i18n.t("volunteers-title") />
        <h1>{i18n.t("volunteers-title")}</h1>
        <p class="lead">{i18n.t("volunteers-intro")}</p>
        <h2>{i18n.t("volunteers-squads")}</h2>
        <Loaded
            resource=squads
            view=|squads| {
                view! {
                    <ul class="cards">
                        {squads
                            .into_iter()
                            .map(|(name, about)| {
                                view! {
                                    <li class="card">
                                        <strong>{name}</strong>
                                        <span class="meta">{about}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            }
        />
    }
}
