//! 社区 directory: the communities of 招宝山街道 and who serves each one — its police
//! office, mutual-aid stations (自治互助站) and mediation rooms (老何调解室 branches).
//! Admins keep it in `admin`.

pub mod admin;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Loaded};
use crate::i18n::use_i18n;
use crate::pager::{Pager, page_query, query_value};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityCard {
    pub id: i32,
    pub name: String,
    pub police_office: Option<String>,
    pub compounds: u64,
    pub aid_stations: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub id: i32,
    pub name: String,
    pub address: String,
    pub hours: String,
    pub is_main: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub name: String,
    pub address: String,
    pub speciality: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityInfo {
    pub id: i32,
    pub name: String,
    pub police_office: Option<Office>,
    pub compounds: Vec<String>,
    pub aid_stations: Vec<String>,
    pub mediation_rooms: Vec<Room>,
    /// Schools and enterprises: (kind, name, address).
    pub places: Vec<(String, String, String)>,
}

#[cfg(feature = "ssr")]
impl From<domain::entities::mediation_room::Model> for Room {
    fn from(room: domain::entities::mediation_room::Model) -> Self {
        Room {
            id: room.id,
            is_main: room.parent_id.is_none(),
            name: room.name,
            address: room.address,
            hours: room.hours,
        }
    }
}

/// Communities the home page lists: a 街道 has a dozen or two, all listed; a district's
/// hundreds are a link to the full list away.
pub const HOME_COMMUNITIES: usize = 24;

/// The first `HOME_COMMUNITIES` communities, and how many there are.
#[server(endpoint = "home-communities", input = server_fn::codec::GetUrl)]
pub async fn home_communities() -> Result<(Vec<CommunityCard>, usize), AppError> {
    let db = crate::state::db()?;
    let directory = domain::directory::cache::snapshot(&db).await?;
    Ok((
        directory
            .communities
            .iter()
            .take(HOME_COMMUNITIES)
            .cloned()
            .map(CommunityCard::from)
            .collect(),
        directory.communities.len(),
    ))
}

#[cfg(feature = "ssr")]
impl From<domain::directory::CommunitySummary> for CommunityCard {
    fn from(s: domain::directory::CommunitySummary) -> Self {
        CommunityCard {
            id: s.community.id,
            name: s.community.name,
            police_office: s.police_office,
            compounds: s.compounds,
            aid_stations: s.aid_stations,
        }
    }
}

/// Communities a page of `/communities` lists: a district's thousand are twenty pages, or
/// a name away.
pub const COMMUNITIES_PER_PAGE: usize = 50;

/// A page of `/communities`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunitiesInfo {
    pub communities: Vec<CommunityCard>,
    /// The name asked for, trimmed; empty lists every community.
    pub query: String,
    /// Communities whose name contains it.
    pub matched: usize,
    pub page: u64,
    pub pages: u64,
}

/// The communities in service whose name contains `q`, a page at a time.
#[server(endpoint = "communities", input = server_fn::codec::GetUrl)]
pub async fn list_communities(
    q: Option<String>,
    page: Option<u64>,
) -> Result<CommunitiesInfo, AppError> {
    let db = crate::state::db()?;
    let directory = domain::directory::cache::snapshot(&db).await?;
    let query: String = q.unwrap_or_default().trim().chars().take(50).collect();
    let matched: Vec<&domain::directory::CommunitySummary> = directory
        .communities
        .iter()
        .filter(|c| c.community.name.contains(query.as_str()))
        .collect();
    let pages = matched.len().div_ceil(COMMUNITIES_PER_PAGE).max(1) as u64;
    let page = page.unwrap_or(1).clamp(1, pages);
    let skip = (page as usize - 1) * COMMUNITIES_PER_PAGE;
    Ok(CommunitiesInfo {
        communities: matched
            .iter()
            .skip(skip)
            .take(COMMUNITIES_PER_PAGE)
            .map(|c| CommunityCard::from((*c).clone()))
            .collect(),
        query,
        matched: matched.len(),
        page,
        pages,
    })
}

#[server(endpoint = "community")]
pub async fn get_community(id: i32) -> Result<CommunityInfo, AppError> {
    let db = crate::state::db()?;
    let detail = domain::directory::community(&db, id).await?;
    Ok(CommunityInfo {
        id: detail.community.id,
        name: detail.community.name,
        police_office: detail.police_office.map(|o| Office {
            name: o.name,
            address: o.address,
            speciality: o.speciality,
        }),
        compounds: detail.compounds.into_iter().map(|c| c.name).collect(),
        aid_stations: detail.aid_stations.into_iter().map(|s| s.name).collect(),
        mediation_rooms: detail.mediation_rooms.into_iter().map(Room::from).collect(),
        places: detail
            .places
            .into_iter()
            .map(|(kind, name, address)| (kind.as_str().to_owned(), name, address))
            .collect(),
    })
}

/// A tappable list of communities, shared by the home page and `/communities`.
#[component]
pub fn CommunityList(communities: Vec<CommunityCard>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="cards">
            {communities
                .into_iter()
                .map(|c| {
                    view! {
                        <li>
                            <a class="card" href=format!("/communities/{}", c.id)>
                                <strong>{c.name}</strong>
                                <span class="meta">
                                    {i18n.count("community-compounds", c.compounds)} " · "
                                    {i18n.count("community-stations", c.aid_stations)}
                                </span>
                                <span class="meta">
                                    {c.police_office.unwrap_or_else(|| i18n.t("community-none"))}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// /communities?q=…&page=…: every community in service, a page at a time, and a box to find
/// one by name.
#[component]
pub fn CommunitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q"));
    let page = page_query();
    let communities = Resource::new(
        move || (q.get(), page.get()),
        |(q, page)| list_communities(q, page),
    );
    let station = Resource::new(|| (), |_| crate::station::station());
    view! {
        <Title text=i18n.t("communities-title") />
        <h1>{i18n.t("communities-title")}</h1>
        <Loaded
            resource=station
            view=move |station| {
                let intro = match station {
                    Some(s) => i18n.arg("communities-intro-station", "district", &s.district),
                    None => i18n.t("communities-intro"),
                };
                view! { <p class="lead">{intro}</p> }
            }
        />
        <Loaded
            resource=communities
            view=move |info| {
                let base = if info.query.is_empty() {
                    "/communities?".to_owned()
                } else {
                    format!("/communities?q={}&", query_value(&info.query))
                };
                let found = (!info.query.is_empty())
                    .then(|| {
                        view! {
                            <p class="meta" role="status">
                                {i18n.count("communities-found", info.matched as u64)}
                            </p>
                        }
                    });
                view! {
                    <form method="get" action="/communities" class="search" role="search">
                        <input
                            type="search"
                            name="q"
                            value=info.query
                            maxlength="50"
                            aria-label=i18n.t("communities-find")
                            placeholder=i18n.t("communities-find-hint")
                        />
                        <button type="submit" class="button secondary">
                            {i18n.t("communities-find")}
                        </button>
                    </form>
                    {found}
                    <CommunityList communities=info.communities />
                    <Pager base page=info.page pages=info.pages />
                }
            }
        />
    }
}

/// A mediation room with its address and opening hours.
#[component]
pub fn RoomCard(room: Room) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="room">
            <strong>{room.name}</strong>
            {room.is_main.then(|| view! { <span class="badge">{i18n.t("room-main")}</span> })}
            <dl>
                <dt>{i18n.t("room-address")}</dt>
                <dd>{room.address}</dd>
                <dt>{i18n.t("room-hours")}</dt>
                <dd>{room.hours}</dd>
            </dl>
        </li>
    }
}

#[component]
pub fn CommunityPage() -> impl IntoView {
    let params = use_params_map();
    let community = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<i32>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_community(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! { <Loaded resource=community view=|c| view! { <CommunityDetails community=c /> } /> }
}

#[component]
fn CommunityDetails(community: CommunityInfo) -> impl IntoView {
    let i18n = use_i18n();
    let office = community.police_office.map(|o| {
        view! {
            <section class="panel">
                <h2>{i18n.t("community-police-office")}</h2>
                <p>
                    <strong>{o.name}</strong>
                </p>
                <p class="meta">{o.speciality}</p>
                <p>{i18n.t("room-address")} ": " {o.address}</p>
            </section>
        }
    });
    view! {
        <Title text=community.name.clone() />
        <p class="crumbs">
            <a href="/communities">{i18n.t("community-back")}</a>
        </p>
        <h1>{community.name}</h1>
        <h2 class="sub">{i18n.t("community-served-by")}</h2>
        {office}
        <section class="panel">
            <h2>{i18n.t("community-mediation-rooms")}</h2>
            <ul class="rooms">
                {community
                    .mediation_rooms
                    .into_iter()
                    .map(|room| view! { <RoomCard room /> })
                    .collect_view()}
            </ul>
        </section>
        <section class="panel">
            <h2>{i18n.t("community-aid-stations")}</h2>
            <p class="meta">{i18n.t("community-aid-stations-hint")}</p>
            <ul class="plain">
                {community.aid_stations.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ul>
        </section>
        {(!community.places.is_empty())
            .then(|| {
                view! {
                    <section class="panel">
                        <h2>{i18n.t("community-places")}</h2>
                        <ul class="plain">
                            {community
                                .places
                                .into_iter()
                                .map(|(kind, name, address)| {
                                    view! {
                                        <li>
                                            <strong>{name}</strong>
                                            {format!(
                                                " · {} · {address}",
                                                i18n.label("directory-kind", &kind),
                                            )}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        <section class="panel">
            <h2>{i18n.t("community-compound-list")}</h2>
            <ul class="chips">
                {community.compounds.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// Headline figures of the directory, for the home page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub communities: u64,
    pub compounds: u64,
    pub aid_stations: u64,
    pub branch_rooms: u64,
}

#[server(endpoint = "directory-figures")]
pub async fn directory_figures() -> Result<Figures, AppError> {
    let db = crate::state::db()?;
    let c = domain::directory::counts(&db).await?;
    Ok(Figures {
        communities: c.communities,
        compounds: c.compounds,
        aid_stations: c.aid_stations,
        branch_rooms: c.branch_rooms,
    })
}

#[server(endpoint = "mediation-rooms")]
pub async fn list_mediation_rooms() -> Result<Vec<Room>, AppError> {
    let db = crate::state::db()?;
    Ok(domain::directory::mediation_rooms(&db)
        .await?
        .into_iter()
        .map(Room::from)
        .collect())
}

/// Squads of 老王帮帮团: (name, description).
#[server(endpoint = "squads")]
pub async fn list_squads() -> Result<Vec<(String, String)>, AppError> {
    let db = crate::state::db()?;
    Ok(domain::directory::squads(&db)
        .await?
        .into_iter()
        .map(|s| (s.name, s.description))
        .collect())
}
