use leptos::prelude::*;
use leptos_meta::Title;

use crate::directory::{RoomCard, list_mediation_rooms};
use crate::error::Loaded;
use crate::i18n::use_i18n;

/// 你点我调. Until online booking lands, the rooms a resident can walk into.
#[component]
pub fn MediationPage() -> impl IntoView {
    let i18n = use_i18n();
    let rooms = Resource::new(|| (), |_| list_mediation_rooms());
    view! {
        <Title text=i18n.t("mediation-title") />
        <h1>{i18n.t("mediation-title")}</h1>
        <p class="lead">{i18n.t("mediation-intro")}</p>
        <p class="note">{i18n.t("mediation-online-soon")}</p>
        <h2>{i18n.t("mediation-rooms")}</h2>
        <Loaded
            resource=rooms
            view=|rooms| {
                view! {
                    <ul class="rooms">
                        {rooms.into_iter().map(|room| view! { <RoomCard room /> }).collect_view()}
                    </ul>
                }
            }
        />
    }
}
