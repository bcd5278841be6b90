use leptos::prelude::*;
use leptos_meta::Title;

use crate::directory::{CommunityList, HOME_COMMUNITIES, directory_figures, home_communities};
use crate::error::Loaded;
use crate::i18n::use_i18n;
use crate::notices::pages::NoticeCardView;

/// Notices on the home page: the most pressing few, the rest one tap away.
const HOME_NOTICES: usize = 3;

/// 首页: what the portal offers, the figures of the subdistrict, and the way to one's community.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let figures = Resource::new(|| (), |_| directory_figures());
    let communities = Resource::new(|| (), |_| home_communities());
    let notices = Resource::new(|| (), |_| crate::notices::list_notices(None, None));
    let station = Resource::new(|| (), |_| crate::station::station());
    let shortcuts = [
        (
            "/mediation",
            "shortcut-mediation",
            "shortcut-mediation-hint",
        ),
        ("/teahouse", "shortcut-teahouse", "shortcut-teahouse-hint"),
        ("/notices", "shortcut-notices", "shortcut-notices-hint"),
        (
            "/volunteers",
            "shortcut-volunteers",
            "shortcut-volunteers-hint",
        ),
    ];
    view! {
        <Title text=i18n.t("nav-home") />
        <Loaded
            resource=station
            view=move |station| match station {
                Some(s) => view! { <h1>{i18n.arg("home-title-station", "name", &s.name)}</h1> },
                None => view! { <h1>{i18n.t("home-title")}</h1> },
            }
        />
        <p class="lead">{i18n.t("home-intro")}</p>
        <Loaded
            resource=notices
            view=move |list| {
                let total = list.notices.len() as u64;
                (total > 0)
                    .then(|| {
                        view! {
                            <section class="home-notices" aria-label=i18n.t("notices-title")>
                                <ul class="cards notices">
                                    {list
                                        .notices
                                        .into_iter()
                                        .take(HOME_NOTICES)
                                        .map(|card| view! { <NoticeCardView card /> })
                                        .collect_view()}
                                </ul>
                                <p>
                                    <a href="/notices">{i18n.count("home-all-notices", total)}</a>
                                </p>
                            </section>
                        }
                    })
            }
        />
        <h2>{i18n.t("home-shortcuts")}</h2>
        <ul class="shortcuts">
            {shortcuts
                .into_iter()
                .map(|(href, title, hint)| {
                    view! {
                        <li>
                            <a href=href>
                                <strong>{i18n.t(title)}</strong>
                                <span>{i18n.t(hint)}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <Loaded
            resource=figures
            view=move |f| {
                view! {
                    <section class="figures" aria-label=i18n.t("home-figures")>
                        <span>{i18n.count("home-figure-communities", f.communities)}</span>
                        <span>{i18n.count("home-figure-compounds", f.compounds)}</span>
                        <span>{i18n.count("home-figure-stations", f.aid_stations)}</span>
                        <span>{i18n.count("home-figure-rooms", f.branch_rooms)}</span>
                    </section>
                }
            }
        />
        <h2 id="communities">{i18n.t("home-your-community")}</h2>
        <p>{i18n.t("home-choose-community")}</p>
        <Loaded
            resource=communities
            view=move |(list, total)| {
                view! {
                    <CommunityList communities=list />
                    {(total > HOME_COMMUNITIES)
                        .then(|| {
                            view! {
                                <p>
                                    <a href="/communities">
                                        {i18n.count("home-all-communities", total as u64)}
                                    </a>
                                </p>
                            }
                        })}
                }
            }
        />
    }
}
