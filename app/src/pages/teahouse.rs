use leptos::prelude::*;
use leptos_meta::Title;

use crate::directory::{OfficeRooms, list_police_offices};
use crate::error::Loaded;
use crate::i18n::use_i18n;

/// 警事茶楼. Until the forum lands, the police offices and their liaison rooms.
#[component]
pub fn TeahousePage() -> impl IntoView {
    let i18n = use_i18n();
    let offices = Resource::new(|| (), |_| list_police_offices());
    view! {
        <Title text=i18n.t("teahouse-title") />
        <h1>{i18n.t("teahouse-title")}</h1>
        <p class="lead">{i18n.t("teahouse-intro")}</p>
        <Loaded
            resource=offices
            view=move |offices| {
                offices.into_iter().map(|o| view! { <OfficeCard office=o /> }).collect_view()
            }
        />
    }
}

#[component]
fn OfficeCard(office: OfficeRooms) -> impl IntoView {
    let i18n = use_i18n();
    let rooms = (!office.rooms.is_empty()).then(|| {
        view! {
            <h3>{i18n.t("teahouse-office-rooms")}</h3>
            <ul class="plain">
                {office
                    .rooms
                    .into_iter()
                    .map(|(name, about)| {
                        view! {
                            <li>
                                <strong>{name}</strong>
                                " — "
                                {about}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <section class="panel">
            <h2>{office.office.name}</h2>
            <p class="meta">{office.office.speciality}</p>
            <p>{i18n.t("room-address")} ": " {office.office.address}</p>
            {rooms}
        </section>
    }
}
