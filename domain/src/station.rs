//! The station's identity (派出所): who runs this portal, as its pages, its feeds, the
//! privacy notice and the volunteers' certificates name it. Entered once by `portal init` or
//! the first-run page `/setup`, then edited by admins; the environment keeps only the
//! operational knobs. Without a row (a database from before this table) pages use neutral
//! wording, never another station's name.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};

use crate::accounts::{self, Account, Role, password, phone};
use crate::admin_log::{self, Actor, Change, LogAction};
use crate::entities::{station, user, user_role};
use crate::text::{length_within, one_line};
use crate::{Error, Result};

/// The only key the table allows (a check constraint holds it).
const ID: i32 = 1;

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "station-name-invalid",
    "station-district-invalid",
    "station-address-invalid",
    "station-phone-invalid",
    "station-url-invalid",
    "station-sender-invalid",
    "station-area-invalid",
    "setup-done",
];

/// What a person enters for the station. `area_desc` may be left empty: it is then the
/// district followed by 全域 ("the whole of").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub district: String,
    pub address: String,
    pub phone: String,
    pub public_url: String,
    pub sender: String,
    pub area_desc: String,
}

impl From<station::Model> for Identity {
    fn from(s: station::Model) -> Identity {
        Identity {
            name: s.name,
            district: s.district,
            address: s.address,
            phone: s.phone,
            public_url: s.public_url,
            sender: s.sender,
            area_desc: s.area_desc,
        }
    }
}

/// 招宝山's identity, as `demo-data` writes it. The sender is the one the feeds carried
/// before the identity moved into the database, so demo feed ids did not change.
pub fn demo() -> Identity {
    Identity {
        name: "招宝山派出所".into(),
        district: "招宝山街道".into(),
        address: "宁波市镇海区招宝山街道（演示地址）".into(),
        phone: "0574-00000000".into(),
        public_url: "http://127.0.0.1:3000".into(),
        sender: "zhaobaoshan.police@portal.example".into(),
        area_desc: "招宝山街道全域".into(),
    }
}

/// The `tag:` URI prefix (RFC 4151) of every feed id, derived from the CAP sender alone, so
/// that ids stay the same whatever host the portal is reached by. The date is fixed: for a
/// given sender the ids never change. Changing the sender changes every feed id (readers
/// then see every entry as new) and the sender Updates and Cancels name, so it is set once.
pub fn tag_prefix(sender: &str) -> String {
    format!("tag:{sender},2026:")
}

/// The identity as stored: trimmed, on one line, each field within its rule.
pub fn check(identity: Identity) -> Result<Identity> {
    let text = |value: &str, max: usize, code: &'static str| {
        let value = one_line(value);
        if length_within(&value, 2, max) {
            Ok(value)
        } else {
            Err(Error::Invalid(code))
        }
    };
    let name = text(&identity.name, 40, "station-name-invalid")?;
    let district = text(&identity.district, 40, "station-district-invalid")?;
    let address = text(&identity.address, 100, "station-address-invalid")?;
    let phone = public_phone(&identity.phone).ok_or(Error::Invalid("station-phone-invalid"))?;
    let public_url =
        public_url(&identity.public_url).ok_or(Error::Invalid("station-url-invalid"))?;
    let sender = sender(&identity.sender).ok_or(Error::Invalid("station-sender-invalid"))?;
    let area_desc = match one_line(&identity.area_desc) {
        empty if empty.is_empty() => format!("{district}全域"),
        area => area,
    };
    if !length_within(&area_desc, 2, 60) {
        return Err(Error::Invalid("station-area-invalid"));
    }
    Ok(Identity {
        name,
        district,
        address,
        phone,
        public_url,
        sender,
        area_desc,
    })
}

/// A number the public dials: digits with the separators people write (`0574-8627 0110`,
/// `+86 574 …`), 3 to 15 digits.
pub(crate) fn public_phone(input: &str) -> Option<String> {
    let phone = input.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')'))
        || (phone.starts_with('+')
            && phone[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')')));
    (allowed && (3..=15).contains(&digits) && phone.len() <= 20).then(|| phone.to_owned())
}

/// An http(s) address with a host, without a trailing slash (links are made by appending a
/// path) and without anything a page or a feed would have to escape.
fn public_url(input: &str) -> Option<String> {
    let url = input.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let clean = url
        .chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '`'));
    (clean && !host.is_empty() && !host.starts_with('@') && url.len() <= 200)
        .then(|| url.to_owned())
}

/// An e-mail address as CAP's `sender` wants it: no spaces, commas, `<` or `&`; here plain
/// ASCII `local@domain.tld`, lower case, so that one sender is written one way.
fn sender(input: &str) -> Option<String> {
    let sender = input.trim().to_ascii_lowercase();
    let (local, domain) = sender.split_once('@')?;
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    (local_ok && domain_ok && sender.len() <= 100).then_some(sender)
}

/// The station, if one has been entered.
pub async fn get(db: &impl ConnectionTrait) -> Result<Option<station::Model>> {
    Ok(station::Entity::find_by_id(ID).one(db).await?)
}

/// The identity as one line of the admin log: every field, so that the values before and
/// after a change show what changed.
fn as_log_value(identity: &Identity) -> String {
    format!(
        "name={}; district={}; address={}; phone={}; url={}; sender={}; area={}",
        identity.name,
        identity.district,
        identity.address,
        identity.phone,
        identity.public_url,
        identity.sender,
        identity.area_desc
    )
}

/// Writes the admin log's row of a change to the identity, in the transaction `db` is.
async fn log_change(
    db: &impl ConnectionTrait,
    by: Actor,
    before: Option<Identity>,
    after: &Identity,
    now: DateTime<Utc>,
) -> Result<()> {
    admin_log::write(
        db,
        by,
        Change {
            action: LogAction::StationSaved,
            target: None,
            subject: "station",
            before: &before.as_ref().map(as_log_value).unwrap_or_default(),
            after: &as_log_value(after),
        },
        now,
    )
    .await
}

/// Enters or replaces the station's identity, logged with the values before and after.
/// What an admin enters is the station's own, so the row is no longer demo data.
pub async fn save(
    db: &DatabaseConnection,
    by: Actor,
    identity: Identity,
    now: DateTime<Utc>,
) -> Result<station::Model> {
    let identity = check(identity)?;
    let txn = db.begin().await?;
    let before = get(&txn).await?.map(Identity::from);
    log_change(&txn, by, before, &identity, now).await?;
    let row = model(identity, false, now);
    station::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(station::Column::Id)
                .update_columns([
                    station::Column::Name,
                    station::Column::District,
                    station::Column::Address,
                    station::Column::Phone,
                    station::Column::PublicUrl,
                    station::Column::Sender,
                    station::Column::AreaDesc,
                    station::Column::IsDemo,
                    station::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    let saved = get(&txn).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok(saved)
}

fn model(identity: Identity, is_demo: bool, now: DateTime<Utc>) -> station::ActiveModel {
    station::ActiveModel {
        id: Set(ID),
        name: Set(identity.name),
        district: Set(identity.district),
        address: Set(identity.address),
        phone: Set(identity.phone),
        public_url: Set(identity.public_url),
        sender: Set(identity.sender),
        area_desc: Set(identity.area_desc),
        is_demo: Set(is_demo),
        updated_at: Set(now),
    }
}

/// Writes 招宝山's identity, marked as demo, where no station has been entered; a station's
/// own identity is never replaced.
#[cfg(any(test, feature = "demo"))]
pub(crate) async fn save_demo(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<bool> {
    let inserted = station::Entity::insert(model(demo(), true, now))
        .on_conflict_do_nothing_on([station::Column::Id])
        .exec(db)
        .await;
    match inserted {
        Ok(sea_orm::TryInsertResult::Inserted(_)) => Ok(true),
        Ok(_) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Whether any account holds the admin role.
pub async fn has_admin(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(user_role::Entity::find()
        .filter(user_role::Column::Role.eq(Role::Admin.as_str()))
        .count(db)
        .await?
        > 0)
}

/// Whether the first start is behind: an admin or a station exists. `portal init` and
/// `/setup` then refuse, and `/setup` is not found.
pub async fn is_set_up(db: &impl ConnectionTrait) -> Result<bool> {
    Ok(has_admin(db).await? || get(db).await?.is_some())
}

/// Where the first start was made: `portal init` or the first-run page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    CommandLine,
    SetupPage,
}

/// The first start: the station and its first admin, together or not at all, logged (from
/// the page, as the act of the admin it creates). Refused with `setup-done` once an admin
/// or a station exists; two set-ups racing each other meet on the station's one key, and
/// only one of them writes anything.
pub async fn init(
    db: &DatabaseConnection,
    start: Start,
    identity: Identity,
    admin_phone: &str,
    admin_password: &str,
    now: DateTime<Utc>,
) -> Result<Account> {
    let identity = check(identity)?;
    let admin_phone = phone::normalise(admin_phone);
    if !phone::is_valid(&admin_phone) {
        return Err(Error::Invalid("account-phone-invalid"));
    }
    if let Some(why) = password::weakness(admin_password, &admin_phone) {
        return Err(Error::Invalid(why));
    }
    // Before the hash: argon2 is the costly step.
    if is_set_up(db).await? {
        return Err(Error::Invalid("setup-done"));
    }
    let password_hash = password::hash(admin_password).await?;
    let txn = db.begin().await?;
    if has_admin(&txn).await? {
        return Err(Error::Invalid("setup-done"));
    }
    match station::Entity::insert(model(identity.clone(), false, now))
        .exec(&txn)
        .await
    {
        Ok(_) => {}
        Err(e) if crate::db::unique_violation(&e).is_some() => {
            return Err(Error::Invalid("setup-done"));
        }
        Err(e) => return Err(e.into()),
    }
    let user = match accounts::find_by_phone(&txn, &admin_phone).await? {
        // A resident who registered before the station was set up stays themselves: their
        // password is not replaced by one typed at the set-up.
        Some(_) => return Err(Error::Invalid("account-phone-taken")),
        None => {
            user::ActiveModel {
                phone: Set(admin_phone),
                password_hash: Set(password_hash),
                consent_version: Set(accounts::STAFF_CONSENT.to_owned()),
                consent_at: Set(now),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let by = match start {
        Start::CommandLine => Actor::CommandLine,
        Start::SetupPage => Actor::Setup(user.id),
    };
    log_change(&txn, by, None, &identity, now).await?;
    accounts::grant_by(&txn, by, user.id, Role::Admin, now).await?;
    txn.commit().await?;
    Ok(Account {
        user,
        roles: vec![Role::Admin],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_kept_as_links_can_be_made_from_them() {
        assert_eq!(
            public_url(" https://jjw.example.cn/ ").as_deref(),
            Some("https://jjw.example.cn")
        );
        for bad in [
            "jjw.example.cn",
            "ftp://jjw.example.cn",
            "https://",
            "https:///x",
            "https://jjw example.cn",
            "https://jjw.example.cn/\"onload",
            "javascript:alert(1)",
        ] {
            assert_eq!(public_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_sender_is_one_plain_address_in_lower_case() {
        assert_eq!(
            sender(" Police@ZhenHai.example.cn ").as_deref(),
            Some("police@zhenhai.example.cn")
        );
        for bad in [
            "police",
            "police@localhost",
            "a b@example.cn",
            "a,b@example.cn",
            "a<b@example.cn",
            "a&b@example.cn",
            "@example.cn",
            "警务@example.cn",
            "a@-x.cn",
        ] {
            assert_eq!(sender(bad), None, "{bad}");
        }
    }

    #[test]
    fn public_numbers_take_the_separators_people_write() {
        for fine in [
            "0574-86270110",
            "+86 574 8627 0110",
            "110",
            "(0574) 8627-0110",
        ] {
            assert!(public_phone(fine).is_some(), "{fine}");
        }
        for bad in [
            "",
            "12",
            "0574-8627O110",
            "+",
            "1234567890123456",
            "tel:110",
        ] {
            assert_eq!(public_phone(bad), None, "{bad}");
        }
    }
}
