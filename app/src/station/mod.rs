//! 派出所: the station's identity (`domain::station`) as pages show it, the first-run page
//! `/setup` and the admins' `/admin/station`. Pages are in `pages.rs`; the station's
//! reported totals (`/admin/record`, shown on `/stats`) in `record.rs`.

pub mod pages;
pub mod record;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The station as pages name it; every field is public (it is on the privacy notice).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationView {
    pub name: String,
    pub district: String,
    pub address: String,
    pub phone: String,
    pub public_url: String,
    pub sender: String,
    pub area_desc: String,
    pub is_demo: bool,
}

/// The station's fields as a form posts them (`station[name]`, …).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationForm {
    pub name: String,
    pub district: String,
    pub address: String,
    pub phone: String,
    pub public_url: String,
    pub sender: String,
    /// Left empty: the district followed by 全域.
    pub area: Option<String>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppError;

    /// Whether the request comes from the machine the portal runs on: its client (as
    /// [`AppState::client`] finds it, honouring PORTAL_TRUST_PROXY) is loopback, and it
    /// bears no sign of a proxy — a proxy on the same machine forwards strangers from a
    /// loopback address.
    ///
    /// [`AppState::client`]: crate::state::AppState::client
    pub fn is_local() -> bool {
        use leptos::prelude::use_context;
        let Some(parts) = use_context::<axum::http::request::Parts>() else {
            return false;
        };
        let proxied = crate::state::came_through_a_proxy(&parts.headers);
        let client = crate::state::state()
            .ok()
            .and_then(|state| state.client(&parts.headers, &parts.extensions));
        !proxied && client.is_some_and(|ip| ip.is_loopback())
    }

    /// The first-run page is there only before the first start, and only for the machine
    /// itself; to anyone else, and afterwards, it does not exist.
    pub async fn require_setup_open() -> Result<(), AppError> {
        let db = crate::state::db()?;
        if is_local() && !domain::station::is_set_up(&db).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    impl From<super::StationForm> for domain::station::Identity {
        fn from(form: super::StationForm) -> Self {
            domain::station::Identity {
                name: form.name,
                district: form.district,
                address: form.address,
                phone: form.phone,
                public_url: form.public_url,
                sender: form.sender,
                area_desc: form.area.unwrap_or_default(),
            }
        }
    }
}

/// The station, or `None` before one is entered (pages then use neutral wording).
#[server(endpoint = "station")]
pub async fn station() -> Result<Option<StationView>, AppError> {
    let db = crate::state::db()?;
    Ok(domain::station::get(&db).await?.map(|s| StationView {
        name: s.name,
        district: s.district,
        address: s.address,
        phone: s.phone,
        public_url: s.public_url,
        sender: s.sender,
        area_desc: s.area_desc,
        is_demo: s.is_demo,
    }))
}

/// Whether `/setup` may be shown to this request; not found otherwise.
#[server(endpoint = "setup/open")]
pub async fn setup_open() -> Result<(), AppError> {
    ssr::require_setup_open().await
}

/// The first start from the browser: the station and the first admin, as `portal init`.
#[server(endpoint = "setup")]
pub async fn setup(
    station: StationForm,
    admin_phone: String,
    password: String,
) -> Result<(), AppError> {
    ssr::require_setup_open().await?;
    domain::station::init(
        &crate::state::db()?,
        domain::station::Start::SetupPage,
        station.into(),
        &admin_phone,
        &password,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/login?next=/admin/station");
    Ok(())
}

/// Admins: edit the station's identity.
#[server(endpoint = "admin/station")]
pub async fn save_station(station: StationForm) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    domain::station::save(
        &crate::state::db()?,
        domain::admin_log::Actor::admin(&admin)?,
        station.into(),
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/admin/station?done=saved");
    Ok(())
}
