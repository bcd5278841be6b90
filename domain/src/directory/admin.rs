//! Admins keep the directory: they create, rename, move and retire its organisations.
//! Nothing is ever deleted — cases, threads, hours and the admin log name these rows — so
//! retiring sets `retired_at`, which takes the row out of every list people choose from.
//! A parent with organisations still in service under it is not retired (they would be
//! left under nothing), and nothing is moved under, or restored into, a retired parent.
//! Every change is written to the admin log in its transaction, with the values before
//! and after.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ActiveValue::Unchanged,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::{Field, Kind};
use crate::accounts::Account;
use crate::admin_log::{self, Actor, Change, LogAction};
use crate::entities::{
    aid_station, community, compound, enterprise, liaison_room, mediation_room, police_office,
    school, squad, squad_school,
};
use crate::text::{length_within, one_line};
use crate::{Error, Result};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "directory-name-invalid",
    "directory-name-taken",
    "directory-parent-missing",
    "directory-parent-invalid",
    "directory-parent-retired",
    "directory-compound-invalid",
    "directory-address-invalid",
    "directory-hours-invalid",
    "directory-phone-invalid",
    "directory-description-invalid",
    "directory-person-invalid",
    "directory-has-children",
    "directory-retired",
    "directory-not-retired",
];

/// An organisation as an admin enters it, and as a row of a directory file describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    /// What it sits under (see [`Kind::parent_kind`]).
    pub parent: Option<i32>,
    /// A mutual-aid station's compound, in its community.
    pub compound: Option<i32>,
    pub address: String,
    pub hours: String,
    pub phone: String,
    /// A police office's speciality, a liaison room's or a squad's description.
    pub description: String,
    /// 党员骨干: who started a mutual-aid station.
    pub initiator: String,
    /// 协调员: who runs it.
    pub coordinator: String,
    /// 治安指导员: the officer who advises it.
    pub officer: String,
}

/// One organisation of the directory, in service or retired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    pub id: i32,
    pub fields: Fields,
    pub retired_at: Option<DateTime<Utc>>,
    pub is_demo: bool,
}

impl Entry {
    /// "community:3": how the log and forms name it.
    pub fn key(&self) -> String {
        key(self.kind, self.id)
    }
}

fn key(kind: Kind, id: i32) -> String {
    format!("{}:{id}", kind.as_str())
}

/// What the log keeps of an organisation: its fields, as text.
fn describe(kind: Kind, fields: &Fields) -> String {
    let mut out = vec![fields.name.clone()];
    if let (Some(parent), Some(parent_kind)) = (fields.parent, kind.parent_kind()) {
        out.push(format!("parent={}", key(parent_kind, parent)));
    }
    if let Some(compound) = fields.compound {
        out.push(format!("compound={}", key(Kind::Compound, compound)));
    }
    for (name, value) in [
        ("address", &fields.address),
        ("hours", &fields.hours),
        ("phone", &fields.phone),
        ("description", &fields.description),
        ("initiator", &fields.initiator),
        ("coordinator", &fields.coordinator),
        ("officer", &fields.officer),
    ] {
        if !value.is_empty() {
            out.push(format!("{name}={value}"));
        }
    }
    out.join("; ")
}

/// Every organisation of one kind, retired ones too, in the order they were made.
pub async fn of_kind(db: &impl ConnectionTrait, kind: Kind) -> Result<Vec<Entry>> {
    load(db, kind, None, None).await
}

/// The organisations of one kind called `name` (compounds of different communities may
/// share one).
pub(crate) async fn named(db: &impl ConnectionTrait, kind: Kind, name: &str) -> Result<Vec<Entry>> {
    load(db, kind, None, Some(name)).await
}

/// Every organisation, kind by kind. Admins only.
pub async fn all(db: &impl ConnectionTrait, admin: &Account) -> Result<Vec<Entry>> {
    Actor::admin(admin)?;
    let mut out = Vec::new();
    for kind in Kind::ALL {
        out.extend(of_kind(db, *kind).await?);
    }
    Ok(out)
}

/// One organisation.
pub async fn get(db: &impl ConnectionTrait, kind: Kind, id: i32) -> Result<Entry> {
    load(db, kind, Some(id), None)
        .await?
        .pop()
        .ok_or(Error::NotFound)
}

async fn load(
    db: &impl ConnectionTrait,
    kind: Kind,
    id: Option<i32>,
    name: Option<&str>,
) -> Result<Vec<Entry>> {
    macro_rules! rows {
        ($entity:ident) => {{
            let mut query = $entity::Entity::find().order_by_asc($entity::Column::Id);
            if let Some(id) = id {
                query = query.filter($entity::Column::Id.eq(id));
            }
            if let Some(name) = name {
                query = query.filter($entity::Column::Name.eq(name));
            }
            query.all(db).await?
        }};
    }
    let entry = |id, fields, retired_at, is_demo| Entry {
        kind,
        id,
        fields,
        retired_at,
        is_demo,
    };
    Ok(match kind {
        Kind::PoliceOffice => rows!(police_office)
            .into_iter()
            .map(|o| {
                let fields = Fields {
                    name: o.name,
                    address: o.address,
                    description: o.speciality,
                    ..Fields::default()
                };
                entry(o.id, fields, o.retired_at, o.is_demo)
            })
            .collect(),
        Kind::Community => rows!(community)
            .into_iter()
            .map(|c| {
                let fields = Fields {
                    name: c.name,
                    parent: c.police_office_id,
                    ..Fields::default()
                };
                entry(c.id, fields, c.retired_at, c.is_demo)
            })
            .collect(),
        Kind::Compound => rows!(compound)
            .into_iter()
            .map(|c| {
                let fields = Fields {
                    name: c.name,
                    parent: Some(c.community_id),
                    ..Fields::default()
                };
                entry(c.id, fields, c.retired_at, c.is_demo)
            })
            .collect(),
        Kind::AidStation => rows!(aid_station)
            .into_iter()
            .map(|s| {
                let fields = Fields {
                    name: s.name,
                    parent: Some(s.community_id),
                    compound: s.compound_id,
                    initiator: s.initiator,
                    coordinator: s.coordinator,
                    officer: s.officer,
                    ..Fields::default()
                };
                entry(s.id, fields, s.retired_at, s.is_demo)
            })
            .collect(),
        Kind::MediationRoom => rows!(mediation_room)
            .into_iter()
            .map(|r| {
                let fields = Fields {
                    name: r.name,
                    parent: r.community_id,
                    address: r.address,
                    hours: r.hours,
                    phone: r.phone,
                    ..Fields::default()
                };
                entry(r.id, fields, r.retired_at, r.is_demo)
            })
            .collect(),
        Kind::LiaisonRoom => rows!(liaison_room)
            .into_iter()
            .map(|r| {
                let fields = Fields {
                    name: r.name,
                    parent: Some(r.police_office_id),
                    description: r.description,
                    ..Fields::default()
                };
                entry(r.id, fields, r.retired_at, r.is_demo)
            })
            .collect(),
        Kind::Squad => {
            let schools: std::collections::HashMap<i32, i32> = squad_school::Entity::find()
                .all(db)
                .await?
                .into_iter()
                .map(|l| (l.squad_id, l.school_id))
                .collect();
            rows!(squad)
                .into_iter()
                .map(|s| {
                    let fields = Fields {
                        name: s.name,
                        parent: schools.get(&s.id).copied(),
                        description: s.description,
                        ..Fields::default()
                    };
                    entry(s.id, fields, s.retired_at, s.is_demo)
                })
                .collect()
        }
        Kind::School => rows!(school)
            .into_iter()
            .map(|s| {
                let fields = Fields {
                    name: s.name,
                    parent: Some(s.community_id),
                    address: s.address,
                    ..Fields::default()
                };
                entry(s.id, fields, s.retired_at, s.is_demo)
            })
            .collect(),
        Kind::Enterprise => rows!(enterprise)
            .into_iter()
            .map(|e| {
                let fields = Fields {
                    name: e.name,
                    parent: Some(e.community_id),
                    address: e.address,
                    ..Fields::default()
                };
                entry(e.id, fields, e.retired_at, e.is_demo)
            })
            .collect(),
    })
}

/// The fields as stored: trimmed, on one line, within their lengths, the fields this kind
/// does not keep emptied; the parent and the compound exist, are of the right kind and in
/// service.
pub(crate) async fn check(db: &impl ConnectionTrait, kind: Kind, fields: Fields) -> Result<Fields> {
    let name = one_line(&fields.name);
    if !length_within(&name, 2, 40) {
        return Err(Error::Invalid("directory-name-invalid"));
    }
    let text = |field: Field, value: &str, max: usize, code: &'static str| {
        if !kind.uses(field) {
            return Ok(String::new());
        }
        let value = one_line(value);
        if length_within(&value, 0, max) {
            Ok(value)
        } else {
            Err(Error::Invalid(code))
        }
    };
    let address = text(
        Field::Address,
        &fields.address,
        100,
        "directory-address-invalid",
    )?;
    if kind.uses(Field::Address) && !length_within(&address, 2, 100) {
        return Err(Error::Invalid("directory-address-invalid"));
    }
    let hours = text(Field::Hours, &fields.hours, 100, "directory-hours-invalid")?;
    let phone = match text(Field::Phone, &fields.phone, 20, "directory-phone-invalid")? {
        empty if empty.is_empty() => empty,
        phone => {
            crate::station::public_phone(&phone).ok_or(Error::Invalid("directory-phone-invalid"))?
        }
    };
    let description = text(
        Field::Description,
        &fields.description,
        200,
        "directory-description-invalid",
    )?;
    let person = |field, value: &str| text(field, value, 40, "directory-person-invalid");
    let initiator = person(Field::Initiator, &fields.initiator)?;
    let coordinator = person(Field::Coordinator, &fields.coordinator)?;
    let officer = person(Field::Officer, &fields.officer)?;
    let parent = match (kind.parent_kind(), fields.parent) {
        (None, _) => None,
        (Some(_), None) if kind.parent_required() => {
            return Err(Error::Invalid("directory-parent-missing"));
        }
        (Some(_), None) => None,
        (Some(parent_kind), Some(parent)) => {
            let found = get(db, parent_kind, parent).await.map_err(|e| match e {
                Error::NotFound => Error::Invalid("directory-parent-invalid"),
                e => e,
            })?;
            if found.retired_at.is_some() {
                return Err(Error::Invalid("directory-parent-retired"));
            }
            Some(parent)
        }
    };
    let compound = match fields.compound.filter(|_| kind.uses(Field::Compound)) {
        None => None,
        Some(id) => {
            let found = compound::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|c| Some(c.community_id) == parent)
                .ok_or(Error::Invalid("directory-compound-invalid"))?;
            if found.retired_at.is_some() {
                return Err(Error::Invalid("directory-parent-retired"));
            }
            Some(id)
        }
    };
    Ok(Fields {
        name,
        parent,
        compound,
        address,
        hours,
        phone,
        description,
        initiator,
        coordinator,
        officer,
    })
}

/// The main mediation room (no community, no parent) in service, other than `except`:
/// what a branch room hangs under.
async fn main_room(db: &impl ConnectionTrait, except: Option<i32>) -> Result<Option<i32>> {
    let mut query = mediation_room::Entity::find()
        .filter(mediation_room::Column::ParentId.is_null())
        .filter(mediation_room::Column::CommunityId.is_null())
        .filter(mediation_room::Column::RetiredAt.is_null())
        .order_by_asc(mediation_room::Column::Id);
    if let Some(id) = except {
        query = query.filter(mediation_room::Column::Id.ne(id));
    }
    Ok(query.one(db).await?.map(|r| r.id))
}

/// A unique index refused the name: the refusal a person reads.
fn taken(e: sea_orm::DbErr) -> Error {
    if crate::db::unique_violation(&e).is_some() {
        Error::Invalid("directory-name-taken")
    } else {
        Error::Db(e)
    }
}

/// Writes checked fields: a new row when `id` is none. Returns its id.
pub(crate) async fn store(
    db: &impl ConnectionTrait,
    kind: Kind,
    id: Option<i32>,
    f: Fields,
) -> Result<i32> {
    macro_rules! save {
        ($entity:ident, $model:expr) => {{
            let mut model: $entity::ActiveModel = $model;
            match id {
                Some(id) => {
                    model.id = Unchanged(id);
                    model.update(db).await.map_err(taken)?.id
                }
                None => model.insert(db).await.map_err(taken)?.id,
            }
        }};
    }
    Ok(match kind {
        Kind::PoliceOffice => save!(
            police_office,
            police_office::ActiveModel {
                name: Set(f.name),
                address: Set(f.address),
                speciality: Set(f.description),
                ..Default::default()
            }
        ),
        Kind::Community => save!(
            community,
            community::ActiveModel {
                name: Set(f.name),
                police_office_id: Set(f.parent),
                ..Default::default()
            }
        ),
        Kind::Compound => save!(
            compound,
            compound::ActiveModel {
                name: Set(f.name),
                community_id: Set(f.parent.ok_or(Error::Invalid("directory-parent-missing"))?),
                ..Default::default()
            }
        ),
        Kind::AidStation => save!(
            aid_station,
            aid_station::ActiveModel {
                name: Set(f.name),
                community_id: Set(f.parent.ok_or(Error::Invalid("directory-parent-missing"))?),
                compound_id: Set(f.compound),
                initiator: Set(f.initiator),
                coordinator: Set(f.coordinator),
                officer: Set(f.officer),
                ..Default::default()
            }
        ),
        Kind::MediationRoom => {
            // A room in a community is a branch of the main room; a room without one is a
            // main room itself.
            let parent_id = match f.parent {
                Some(_) => main_room(db, id).await?,
                None => None,
            };
            save!(
                mediation_room,
                mediation_room::ActiveModel {
                    name: Set(f.name),
                    community_id: Set(f.parent),
                    parent_id: Set(parent_id),
                    address: Set(f.address),
                    hours: Set(f.hours),
                    phone: Set(f.phone),
                    ..Default::default()
                }
            )
        }
        Kind::LiaisonRoom => save!(
            liaison_room,
            liaison_room::ActiveModel {
                name: Set(f.name),
                police_office_id: Set(f
                    .parent
                    .ok_or(Error::Invalid("directory-parent-missing"))?),
                description: Set(f.description),
                ..Default::default()
            }
        ),
        Kind::Squad => {
            let school = f.parent;
            let id = save!(
                squad,
                squad::ActiveModel {
                    name: Set(f.name),
                    description: Set(f.description),
                    ..Default::default()
                }
            );
            // Its school lives beside it: a squad with one is a 护苗队.
            squad_school::Entity::delete_by_id(id).exec(db).await?;
            if let Some(school_id) = school {
                squad_school::Entity::insert(squad_school::ActiveModel {
                    squad_id: Set(id),
                    school_id: Set(school_id),
                })
                .exec_without_returning(db)
                .await?;
            }
            id
        }
        Kind::School => save!(
            school,
            school::ActiveModel {
                name: Set(f.name),
                community_id: Set(f.parent.ok_or(Error::Invalid("directory-parent-missing"))?),
                address: Set(f.address),
                ..Default::default()
            }
        ),
        Kind::Enterprise => save!(
            enterprise,
            enterprise::ActiveModel {
                name: Set(f.name),
                community_id: Set(f.parent.ok_or(Error::Invalid("directory-parent-missing"))?),
                address: Set(f.address),
                ..Default::default()
            }
        ),
    })
}

/// Logs one change of the directory; call it in the transaction of the change.
pub(crate) async fn log(
    db: &impl ConnectionTrait,
    by: Actor,
    action: LogAction,
    (kind, id): (Kind, i32),
    before: Option<&Fields>,
    after: Option<&Fields>,
    now: DateTime<Utc>,
) -> Result<()> {
    admin_log::write(
        db,
        by,
        Change {
            action,
            target: None,
            subject: &key(kind, id),
            before: &before.map(|f| describe(kind, f)).unwrap_or_default(),
            after: &after.map(|f| describe(kind, f)).unwrap_or_default(),
        },
        now,
    )
    .await
}

/// An admin adds an organisation; its id.
pub async fn create(
    db: &DatabaseConnection,
    admin: &Account,
    kind: Kind,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<i32> {
    let by = Actor::admin(admin)?;
    let txn = db.begin().await?;
    let fields = check(&txn, kind, fields).await?;
    let id = store(&txn, kind, None, fields.clone()).await?;
    log(
        &txn,
        by,
        LogAction::OrgCreated,
        (kind, id),
        None,
        Some(&fields),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// An admin renames, moves or otherwise changes an organisation in service. Saving what is
/// already there changes nothing and logs nothing.
pub async fn save(
    db: &DatabaseConnection,
    admin: &Account,
    kind: Kind,
    id: i32,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    let txn = db.begin().await?;
    let before = get(&txn, kind, id).await?;
    if before.retired_at.is_some() {
        return Err(Error::Invalid("directory-retired"));
    }
    let fields = check(&txn, kind, fields).await?;
    if fields == before.fields {
        return Ok(());
    }
    store(&txn, kind, Some(id), fields.clone()).await?;
    log(
        &txn,
        by,
        LogAction::OrgChanged,
        (kind, id),
        Some(&before.fields),
        Some(&fields),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// How many organisations in service sit under this one.
async fn children_in_service(db: &impl ConnectionTrait, kind: Kind, id: i32) -> Result<u64> {
    Ok(match kind {
        Kind::PoliceOffice => {
            community::Entity::find()
                .filter(community::Column::PoliceOfficeId.eq(id))
                .filter(community::Column::RetiredAt.is_null())
                .count(db)
                .await?
                + liaison_room::Entity::find()
                    .filter(liaison_room::Column::PoliceOfficeId.eq(id))
                    .filter(liaison_room::Column::RetiredAt.is_null())
                    .count(db)
                    .await?
        }
        Kind::Community => {
            compound::Entity::find()
                .filter(compound::Column::CommunityId.eq(id))
                .filter(compound::Column::RetiredAt.is_null())
                .count(db)
                .await?
                + aid_station::Entity::find()
                    .filter(aid_station::Column::CommunityId.eq(id))
                    .filter(aid_station::Column::RetiredAt.is_null())
                    .count(db)
                    .await?
                + mediation_room::Entity::find()
                    .filter(mediation_room::Column::CommunityId.eq(id))
                    .filter(mediation_room::Column::RetiredAt.is_null())
                    .count(db)
                    .await?
                + school::Entity::find()
                    .filter(school::Column::CommunityId.eq(id))
                    .filter(school::Column::RetiredAt.is_null())
                    .count(db)
                    .await?
                + enterprise::Entity::find()
                    .filter(enterprise::Column::CommunityId.eq(id))
                    .filter(enterprise::Column::RetiredAt.is_null())
                    .count(db)
                    .await?
        }
        Kind::Compound => {
            aid_station::Entity::find()
                .filter(aid_station::Column::CompoundId.eq(id))
                .filter(aid_station::Column::RetiredAt.is_null())
                .count(db)
                .await?
        }
        Kind::MediationRoom => {
            mediation_room::Entity::find()
                .filter(mediation_room::Column::ParentId.eq(id))
                .filter(mediation_room::Column::RetiredAt.is_null())
                .count(db)
                .await?
        }
        Kind::School => {
            let squads: Vec<i32> = squad_school::Entity::find()
                .filter(squad_school::Column::SchoolId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.squad_id)
                .collect();
            squad::Entity::find()
                .filter(squad::Column::Id.is_in(squads))
                .filter(squad::Column::RetiredAt.is_null())
                .count(db)
                .await?
        }
        Kind::AidStation | Kind::LiaisonRoom | Kind::Squad | Kind::Enterprise => 0,
    })
}

/// Sets or clears `retired_at` where it is not already so: whether a row changed. The
/// guard makes two admins retiring at once write one log row.
async fn mark(
    db: &impl ConnectionTrait,
    kind: Kind,
    id: i32,
    at: Option<DateTime<Utc>>,
) -> Result<bool> {
    let column = Alias::new("retired_at");
    let mut update = Query::update();
    update
        .table(Alias::new(super::table(kind)))
        .value(column.clone(), at)
        .and_where(Expr::col(Alias::new("id")).eq(id));
    update.and_where(if at.is_some() {
        Expr::col(column).is_null()
    } else {
        Expr::col(column).is_not_null()
    });
    Ok(db.execute(&update).await?.rows_affected() > 0)
}

/// An admin retires an organisation: it leaves every choice and keeps its history. Call
/// it in a transaction, which a refusal rolls back.
pub(crate) async fn retire_in(
    db: &impl ConnectionTrait,
    by: Actor,
    kind: Kind,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    // The guarded write comes first: on SQLite it takes the write lock before anything is
    // read, so that two admins at once wait for each other instead of failing.
    if !mark(db, kind, id, Some(now)).await? {
        get(db, kind, id).await?;
        return Err(Error::Invalid("directory-retired"));
    }
    let entry = get(db, kind, id).await?;
    if children_in_service(db, kind, id).await? > 0 {
        return Err(Error::Invalid("directory-has-children"));
    }
    log(
        db,
        by,
        LogAction::OrgRetired,
        (kind, id),
        Some(&entry.fields),
        None,
        now,
    )
    .await
}

/// Puts a retired organisation back in service, under a parent that is in service.
pub(crate) async fn restore_in(
    db: &impl ConnectionTrait,
    by: Actor,
    kind: Kind,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    if !mark(db, kind, id, None).await? {
        get(db, kind, id).await?;
        return Err(Error::Invalid("directory-not-retired"));
    }
    let entry = get(db, kind, id).await?;
    check(db, kind, entry.fields.clone()).await?;
    log(
        db,
        by,
        LogAction::OrgRestored,
        (kind, id),
        None,
        Some(&entry.fields),
        now,
    )
    .await
}

pub async fn retire(
    db: &DatabaseConnection,
    admin: &Account,
    kind: Kind,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    let txn = db.begin().await?;
    retire_in(&txn, by, kind, id, now).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn restore(
    db: &DatabaseConnection,
    admin: &Account,
    kind: Kind,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let by = Actor::admin(admin)?;
    let txn = db.begin().await?;
    restore_in(&txn, by, kind, id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Whether an organisation is in service: what joining it and choosing it need.
pub async fn in_service(db: &impl ConnectionTrait, kind: Kind, id: i32) -> Result<bool> {
    Ok(match get(db, kind, id).await {
        Ok(entry) => entry.retired_at.is_none(),
        Err(Error::NotFound) => false,
        Err(e) => return Err(e),
    })
}
