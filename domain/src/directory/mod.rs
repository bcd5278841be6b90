//! The directory: communities and the organisations that serve each of them. Admins keep
//! it (`admin`: create, rename, move, retire) and exchange it as a spreadsheet (`file`:
//! the CSV format, `import`: an uploaded file's preview and its application). A retired
//! organisation leaves every list people choose from here, and keeps its history.

pub mod admin;
pub mod cache;
pub mod file;
pub mod import;

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entities::{
    aid_station, community, compound, enterprise, liaison_room, mediation_room, police_office,
    school, squad,
};

pub use vocab::directory::{Field, Kind};

/// The table its rows live in.
pub(crate) fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::PoliceOffice => "police_offices",
        Kind::Community => "communities",
        Kind::Compound => "compounds",
        Kind::AidStation => "aid_stations",
        Kind::MediationRoom => "mediation_rooms",
        Kind::LiaisonRoom => "liaison_rooms",
        Kind::Squad => "squads",
        Kind::School => "schools",
        Kind::Enterprise => "enterprises",
    }
}

/// A community with the counts a resident scans a list for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunitySummary {
    pub community: community::Model,
    pub police_office: Option<String>,
    pub compounds: u64,
    pub aid_stations: u64,
}

/// Everything that serves one community: the page a resident lands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommunityDetail {
    pub community: community::Model,
    pub police_office: Option<police_office::Model>,
    pub compounds: Vec<compound::Model>,
    pub aid_stations: Vec<aid_station::Model>,
    /// Branch rooms in the community, then the main 老何调解室 every resident may use.
    pub mediation_rooms: Vec<mediation_room::Model>,
    /// Its schools and enterprises in service: (kind, name, address).
    pub places: Vec<(Kind, String, String)>,
}

/// The communities in service with their counts, from the directory as it is now (`cache`).
pub async fn communities(db: &impl ConnectionTrait) -> crate::Result<Vec<CommunitySummary>> {
    Ok(cache::snapshot(db).await?.communities.clone())
}

/// Every community, retired ones too, by id: the cache's names and, of those in service,
/// its list.
async fn load_all_communities(db: &impl ConnectionTrait) -> crate::Result<Vec<community::Model>> {
    Ok(community::Entity::find()
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?)
}

/// The communities of `all` in service, with their counts.
async fn load_communities(
    db: &impl ConnectionTrait,
    all: &[community::Model],
) -> crate::Result<Vec<CommunitySummary>> {
    let list = all.iter().filter(|c| c.retired_at.is_none()).cloned();
    let offices: HashMap<i32, String> = police_office::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let compounds = per_community(
        compound::Entity::find().filter(compound::Column::RetiredAt.is_null()),
        compound::Column::CommunityId,
        db,
    )
    .await?;
    let stations = per_community(
        aid_station::Entity::find().filter(aid_station::Column::RetiredAt.is_null()),
        aid_station::Column::CommunityId,
        db,
    )
    .await?;
    Ok(list
        .into_iter()
        .map(|community| CommunitySummary {
            police_office: community
                .police_office_id
                .and_then(|id| offices.get(&id).cloned()),
            compounds: compounds.get(&community.id).copied().unwrap_or(0),
            aid_stations: stations.get(&community.id).copied().unwrap_or(0),
            community,
        })
        .collect())
}

/// The rows `select` finds, counted by the community `community` names: one grouped count,
/// as a map. Rows without a community are not counted.
pub(crate) async fn per_community<E: EntityTrait>(
    select: sea_orm::Select<E>,
    community: E::Column,
    db: &impl ConnectionTrait,
) -> crate::Result<HashMap<i32, u64>> {
    Ok(select
        .select_only()
        .column(community)
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .filter(community.is_not_null())
        .group_by(community)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(community, n)| (community, n.unsigned_abs()))
        .collect())
}

pub async fn community(db: &impl ConnectionTrait, id: i32) -> crate::Result<CommunityDetail> {
    let community = community::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(crate::Error::NotFound)?;
    let police_office = match community.police_office_id {
        Some(office) => police_office::Entity::find_by_id(office).one(db).await?,
        None => None,
    };
    let compounds = compound::Entity::find()
        .filter(compound::Column::CommunityId.eq(id))
        .filter(compound::Column::RetiredAt.is_null())
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?;
    let aid_stations = aid_station::Entity::find()
        .filter(aid_station::Column::CommunityId.eq(id))
        .filter(aid_station::Column::RetiredAt.is_null())
        .order_by_asc(aid_station::Column::Id)
        .all(db)
        .await?;
    let mut mediation_rooms = mediation_room::Entity::find()
        .filter(mediation_room::Column::CommunityId.eq(id))
        .filter(mediation_room::Column::RetiredAt.is_null())
        .order_by_asc(mediation_room::Column::Id)
        .all(db)
        .await?;
    mediation_rooms.extend(
        mediation_room::Entity::find()
            .filter(mediation_room::Column::ParentId.is_null())
            .filter(mediation_room::Column::CommunityId.is_null())
            .filter(mediation_room::Column::RetiredAt.is_null())
            .order_by_asc(mediation_room::Column::Id)
            .all(db)
            .await?,
    );
    let mut places: Vec<(Kind, String, String)> = school::Entity::find()
        .filter(school::Column::CommunityId.eq(id))
        .filter(school::Column::RetiredAt.is_null())
        .order_by_asc(school::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (Kind::School, s.name, s.address))
        .collect();
    places.extend(
        enterprise::Entity::find()
            .filter(enterprise::Column::CommunityId.eq(id))
            .filter(enterprise::Column::RetiredAt.is_null())
            .order_by_asc(enterprise::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| (Kind::Enterprise, e.name, e.address)),
    );
    Ok(CommunityDetail {
        community,
        police_office,
        compounds,
        aid_stations,
        mediation_rooms,
        places,
    })
}

/// Every community in service with its compounds, for choosing where one lives.
pub async fn communities_with_compounds(
    db: &impl ConnectionTrait,
) -> crate::Result<Vec<(community::Model, Vec<compound::Model>)>> {
    let mut compounds: HashMap<i32, Vec<compound::Model>> = HashMap::new();
    for c in compound::Entity::find()
        .filter(compound::Column::RetiredAt.is_null())
        .order_by_asc(compound::Column::Id)
        .all(db)
        .await?
    {
        compounds.entry(c.community_id).or_default().push(c);
    }
    Ok(community::Entity::find()
        .filter(community::Column::RetiredAt.is_null())
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            let own = compounds.remove(&c.id).unwrap_or_default();
            (c, own)
        })
        .collect())
}

/// The mediation rooms in service, the main room first, then its branches.
pub async fn mediation_rooms(
    db: &impl ConnectionTrait,
) -> crate::Result<Vec<mediation_room::Model>> {
    let mut rooms = mediation_room::Entity::find()
        .filter(mediation_room::Column::RetiredAt.is_null())
        .order_by_asc(mediation_room::Column::Id)
        .all(db)
        .await?;
    rooms.sort_by_key(|r| (r.parent_id.is_some(), r.id));
    Ok(rooms)
}

/// The squads in service.
pub async fn squads(db: &impl ConnectionTrait) -> crate::Result<Vec<squad::Model>> {
    Ok(squad::Entity::find()
        .filter(squad::Column::RetiredAt.is_null())
        .order_by_asc(squad::Column::Id)
        .all(db)
        .await?)
}

/// Headline counts of the directory in service, e.g. for the home page and the health of
/// demo loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub communities: u64,
    pub compounds: u64,
    pub aid_stations: u64,
    pub branch_rooms: u64,
    pub police_offices: u64,
    pub liaison_rooms: u64,
    pub squads: u64,
}

pub async fn counts(db: &impl ConnectionTrait) -> crate::Result<Counts> {
    Ok(cache::snapshot(db).await?.counts)
}

async fn load_counts(db: &impl ConnectionTrait) -> crate::Result<Counts> {
    Ok(Counts {
        communities: community::Entity::find()
            .filter(community::Column::RetiredAt.is_null())
            .count(db)
            .await?,
        compounds: compound::Entity::find()
            .filter(compound::Column::RetiredAt.is_null())
            .count(db)
            .await?,
        aid_stations: aid_station::Entity::find()
            .filter(aid_station::Column::RetiredAt.is_null())
            .count(db)
            .await?,
        branch_rooms: mediation_room::Entity::find()
            .filter(mediation_room::Column::ParentId.is_not_null())
            .filter(mediation_room::Column::RetiredAt.is_null())
            .count(db)
            .await?,
        police_offices: police_office::Entity::find()
            .filter(police_office::Column::RetiredAt.is_null())
            .count(db)
            .await?,
        liaison_rooms: liaison_room::Entity::find()
            .filter(liaison_room::Column::RetiredAt.is_null())
            .count(db)
            .await?,
        squads: squad::Entity::find()
            .filter(squad::Column::RetiredAt.is_null())
            .count(db)
            .await?,
    })
}
