//! Admins keep the directory (`domain::directory`): /admin/directory lists every
//! organisation, retired ones too; each has a page to rename, move, retire or restore it and
//! to add and remove its people; a directory file is uploaded (by the server's
//! `/admin/directory/upload`, a multipart form), previewed and applied here, and exported at
//! `/admin/directory/export.csv`. Views are in `pages.rs`.

pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where the upload form posts (a plain route of the server, outside server functions,
/// which take no files).
pub const UPLOAD_PATH: &str = "/admin/directory/upload";
/// The whole directory as a file.
pub const EXPORT_PATH: &str = "/admin/directory/export.csv";

/// One organisation in the admin's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLine {
    /// `community`, …
    pub kind: String,
    pub id: i32,
    pub name: String,
    /// The name of what it sits under.
    pub parent: Option<String>,
    /// When it was retired (local time); `None` while in service.
    pub retired: Option<String>,
}

/// The fields of an organisation as its form posts them (`org[name]`, …). Fields a kind
/// does not keep are absent from its form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgForm {
    pub name: String,
    /// The parent's id; empty for none.
    pub parent: Option<String>,
    pub compound: Option<String>,
    pub address: Option<String>,
    pub hours: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub initiator: Option<String>,
    pub coordinator: Option<String>,
    pub officer: Option<String>,
}

/// A person of an organisation, as the admin sees them (admins see whole numbers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonLine {
    pub phone: String,
    pub name: String,
    pub leader: bool,
    /// The role the membership rests on.
    pub role: String,
}

/// What the form of one kind offers: the parents and compounds in service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    pub kind: String,
    pub parents: Vec<(i32, String)>,
    /// (id, name, community id)
    pub compounds: Vec<(i32, String, i32)>,
    /// The field names (`address`, …) this kind keeps.
    pub fields: Vec<String>,
    pub parent_required: bool,
}

/// One organisation's page: its fields, the choices of its form and its people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: i32,
    pub form: OrgForm,
    pub retired: Option<String>,
    pub choices: Choices,
    /// `None` for kinds without people (communities, compounds).
    pub people: Option<Vec<PersonLine>>,
    /// The roles a membership may rest on (`mediator`, …): a choice where there are several
    /// (an anti-fraud team's officer, auxiliaries and grid workers).
    pub roles: Vec<String>,
}

/// A line of a file's preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub line: u64,
    pub kind: String,
    pub name: String,
    pub retired: bool,
}

/// A problem of a file: its line, the sentence's key and the value at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemLine {
    pub line: u64,
    pub code: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewInfo {
    pub id: i32,
    pub encoding: String,
    pub created: Vec<PreviewLine>,
    pub updated: Vec<PreviewLine>,
    pub unchanged: usize,
    pub problems: Vec<ProblemLine>,
    pub applied: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use domain::directory::Field;
    use domain::directory::Kind;
    use domain::directory::admin::{Entry, Fields};

    use super::*;

    pub fn kind(text: &str) -> Result<Kind, AppError> {
        Kind::parse(text).ok_or(AppError::NotFound)
    }

    /// An id from a select: empty is none, anything else must be a number.
    fn id(text: Option<&str>) -> Result<Option<i32>, AppError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => t
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid("directory-parent-invalid")),
        }
    }

    pub fn fields(form: OrgForm) -> Result<Fields, AppError> {
        Ok(Fields {
            name: form.name,
            parent: id(form.parent.as_deref())?,
            compound: id(form.compound.as_deref())?,
            address: form.address.unwrap_or_default(),
            hours: form.hours.unwrap_or_default(),
            phone: form.phone.unwrap_or_default(),
            description: form.description.unwrap_or_default(),
            initiator: form.initiator.unwrap_or_default(),
            coordinator: form.coordinator.unwrap_or_default(),
            officer: form.officer.unwrap_or_default(),
        })
    }

    pub fn form(fields: Fields) -> OrgForm {
        let text = |value: String| Some(value);
        OrgForm {
            name: fields.name,
            parent: fields.parent.map(|id| id.to_string()),
            compound: fields.compound.map(|id| id.to_string()),
            address: text(fields.address),
            hours: text(fields.hours),
            phone: text(fields.phone),
            description: text(fields.description),
            initiator: text(fields.initiator),
            coordinator: text(fields.coordinator),
            officer: text(fields.officer),
        }
    }

    pub fn retired(entry: &Entry) -> Option<String> {
        entry.retired_at.map(domain::time::format_local)
    }

    pub async fn choices(db: &domain::DatabaseConnection, kind: Kind) -> Result<Choices, AppError> {
        use domain::directory::admin::of_kind;
        let in_service = |entries: Vec<Entry>| {
            entries
                .into_iter()
                .filter(|e| e.retired_at.is_none())
                .collect::<Vec<_>>()
        };
        let parents = match kind.parent_kind() {
            Some(parent) => in_service(of_kind(db, parent).await?)
                .into_iter()
                .map(|e| (e.id, e.fields.name))
                .collect(),
            None => Vec::new(),
        };
        let compounds = if kind.uses(Field::Compound) {
            in_service(of_kind(db, Kind::Compound).await?)
                .into_iter()
                .filter_map(|e| Some((e.id, e.fields.name, e.fields.parent?)))
                .collect()
        } else {
            Vec::new()
        };
        let fields = [
            (Field::Address, "address"),
            (Field::Hours, "hours"),
            (Field::Phone, "phone"),
            (Field::Description, "description"),
            (Field::Initiator, "initiator"),
            (Field::Coordinator, "coordinator"),
            (Field::Officer, "officer"),
        ]
        .into_iter()
        .filter(|(field, _)| kind.uses(*field))
        .map(|(_, name)| name.to_owned())
        .collect();
        Ok(Choices {
            kind: kind.as_str().to_owned(),
            parents,
            compounds,
            fields,
            parent_required: kind.parent_required(),
        })
    }

    /// The account of a number an admin typed, or a sentence saying there is none.
    pub async fn user_of(
        db: &domain::DatabaseConnection,
        phone: &str,
    ) -> Result<domain::entities::user::Model, AppError> {
        domain::accounts::find_by_phone(db, phone)
            .await?
            .ok_or_else(|| AppError::invalid("admin-no-such-user"))
    }

    pub fn page_of(kind: Kind, id: i32) -> String {
        format!("/admin/directory/org/{}/{id}", kind.as_str())
    }
}

/// Admin: every organisation, kind by kind, retired ones too.
#[server(endpoint = "admin/directory", input = server_fn::codec::GetUrl)]
pub async fn directory_list() -> Result<Vec<OrgLine>, AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let db = crate::state::db()?;
    let entries = domain::directory::admin::all(&db, &admin).await?;
    let names: std::collections::HashMap<(domain::directory::Kind, i32), String> = entries
        .iter()
        .map(|e| ((e.kind, e.id), e.fields.name.clone()))
        .collect();
    Ok(entries
        .iter()
        .map(|e| OrgLine {
            kind: e.kind.as_str().to_owned(),
            id: e.id,
            name: e.fields.name.clone(),
            parent: e
                .kind
                .parent_kind()
                .zip(e.fields.parent)
                .and_then(|key| names.get(&key).cloned()),
            retired: ssr::retired(e),
        })
        .collect())
}

/// Admin: what the form for a new organisation of `kind` offers.
#[server(endpoint = "admin/directory/choices", input = server_fn::codec::GetUrl)]
pub async fn new_org_choices(kind: String) -> Result<Choices, AppError> {
    crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    ssr::choices(&crate::state::db()?, kind).await
}

/// Admin: one organisation with its people.
#[server(endpoint = "admin/directory/org", input = server_fn::codec::GetUrl)]
pub async fn org_detail(kind: String, id: i32) -> Result<OrgInfo, AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    let db = crate::state::db()?;
    let entry = domain::directory::admin::get(&db, kind, id).await?;
    let people = match kind.group() {
        Some(group) => Some(
            domain::memberships::people(&db, &admin, group, id)
                .await?
                .into_iter()
                .map(|p| PersonLine {
                    phone: p.phone,
                    name: p.name,
                    leader: p.leader,
                    role: p.role.as_str().to_owned(),
                })
                .collect(),
        ),
        None => None,
    };
    Ok(OrgInfo {
        id,
        retired: ssr::retired(&entry),
        form: ssr::form(entry.fields),
        choices: ssr::choices(&db, kind).await?,
        people,
        roles: kind
            .group()
            .map(|g| g.roles().iter().map(|r| r.as_str().to_owned()).collect())
            .unwrap_or_default(),
    })
}

/// Admin: adds an organisation and opens its page.
#[server(endpoint = "admin/directory/create")]
pub async fn create_org(kind: String, org: OrgForm) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    let fields = ssr::fields(org)?;
    let id = domain::directory::admin::create(
        &crate::state::db()?,
        &admin,
        kind,
        fields,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("{}?done=created", ssr::page_of(kind, id)));
    Ok(())
}

/// Admin: renames, moves or edits an organisation.
#[server(endpoint = "admin/directory/save")]
pub async fn save_org(kind: String, id: i32, org: OrgForm) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    let fields = ssr::fields(org)?;
    domain::directory::admin::save(
        &crate::state::db()?,
        &admin,
        kind,
        id,
        fields,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("{}?done=saved", ssr::page_of(kind, id)));
    Ok(())
}

/// Admin: retires an organisation (it leaves every choice, and keeps its history).
#[server(endpoint = "admin/directory/retire")]
pub async fn retire_org(kind: String, id: i32) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    domain::directory::admin::retire(&crate::state::db()?, &admin, kind, id, chrono::Utc::now())
        .await?;
    leptos_axum::redirect(&format!("{}?done=retired", ssr::page_of(kind, id)));
    Ok(())
}

/// Admin: puts a retired organisation back in service.
#[server(endpoint = "admin/directory/restore")]
pub async fn restore_org(kind: String, id: i32) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    domain::directory::admin::restore(&crate::state::db()?, &admin, kind, id, chrono::Utc::now())
        .await?;
    leptos_axum::redirect(&format!("{}?done=restored", ssr::page_of(kind, id)));
    Ok(())
}

/// Admin: makes the account of `phone` one of the organisation's people (for a squad, under
/// `name`, as its leader when `leader` is sent; for a community's anti-fraud team, as the
/// `role` chosen), with the role that rests on.
#[server(endpoint = "admin/directory/add-person")]
pub async fn add_person(
    kind: String,
    id: i32,
    phone: String,
    name: Option<String>,
    leader: Option<String>,
    role: Option<String>,
) -> Result<(), AppError> {
    use domain::memberships::{self, Group};
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    let group = kind
        .group()
        .ok_or_else(|| AppError::invalid("admin-membership-invalid"))?;
    let db = crate::state::db()?;
    let user = ssr::user_of(&db, &phone).await?;
    let now = chrono::Utc::now();
    if group == Group::Squad {
        let name = name.unwrap_or_default();
        memberships::add_to_squad(&db, &admin, user.id, id, &name, leader.is_some(), now).await?;
    } else if group == Group::FraudTeam {
        let role = role
            .as_deref()
            .and_then(domain::accounts::Role::parse)
            .ok_or_else(|| AppError::invalid("admin-membership-invalid"))?;
        memberships::add_to_team(&db, &admin, user.id, id, role, now).await?;
    } else {
        memberships::add(&db, &admin, user.id, group, id, now).await?;
    }
    leptos_axum::redirect(&format!("{}?done=added", ssr::page_of(kind, id)));
    Ok(())
}

/// Admin: ends the membership of the account of `phone` (their role stays).
#[server(endpoint = "admin/directory/remove-person")]
pub async fn remove_person(kind: String, id: i32, phone: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let kind = ssr::kind(&kind)?;
    let group = kind
        .group()
        .ok_or_else(|| AppError::invalid("admin-membership-invalid"))?;
    let db = crate::state::db()?;
    let user = ssr::user_of(&db, &phone).await?;
    domain::memberships::remove(&db, &admin, user.id, group, id, chrono::Utc::now()).await?;
    leptos_axum::redirect(&format!("{}?done=removed", ssr::page_of(kind, id)));
    Ok(())
}

/// Admin: what applying an uploaded file would do.
#[server(endpoint = "admin/directory/import", input = server_fn::codec::GetUrl)]
pub async fn import_preview(id: i32) -> Result<PreviewInfo, AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let preview = domain::directory::import::preview(&crate::state::db()?, &admin, id).await?;
    let lines = |changes: Vec<domain::directory::import::RowChange>| {
        changes
            .into_iter()
            .map(|c| PreviewLine {
                line: c.line,
                kind: c.kind.as_str().to_owned(),
                name: c.name,
                retired: c.retired,
            })
            .collect()
    };
    Ok(PreviewInfo {
        id,
        encoding: preview.encoding,
        created: lines(preview.created),
        updated: lines(preview.updated),
        unchanged: preview.unchanged,
        problems: preview
            .problems
            .into_iter()
            .map(|p| ProblemLine {
                line: p.line,
                code: p.code.to_owned(),
                value: p.value,
            })
            .collect(),
        applied: preview.applied_at.map(domain::time::format_local),
    })
}

/// Admin: applies an uploaded file, all of it or nothing.
#[server(endpoint = "admin/directory/apply")]
pub async fn apply_import(id: i32) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    domain::directory::import::apply(&crate::state::db()?, &admin, id, chrono::Utc::now()).await?;
    leptos_axum::redirect(&format!("/admin/directory/import/{id}?done=applied"));
    Ok(())
}
