use leptos::prelude::*;
use leptos_meta::Title;

use crate::directory::list_police_offices;
use crate::error::or_error;
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
        <Suspense fallback=move || {
            view! { <p>{i18n.t("loading")}</p> }
        }>
            {move || {
                offices
                    .get()
                    .map(|r| {
                        or_error(
                            r,
                            |offices| {
                                offices
                                    .into_iter()
                                    .map(|o| {
                                        view! {
                                            <section class="panel">
                                                <h2>{o.office.name}</h2>
                                                <p class="meta">{o.office.speciality}</p>
                                                <p>{i18n.t("room-address")} ": " {o.office.address}</p>
                                                {(!o.rooms.is_empty())
                                                    .then(|| {
                                                        view! {
                                                            <h3>{i18n.t("teahouse-office-rooms")}</h3>
                                                            <ul class="plain">
                                                                {o
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
                                                    })}
                                            </section>
                                        }
                                    })
                                    .collect_view()
                            },
                        )
                    })
            }}
        </Suspense>
    }
}
