//! Accounts: register, sign in and out, 我的 (my account), the admin's user list, and the
//! counter's services (`counter.rs`).
//! Pages are in `pages.rs`; the rules (passwords, throttling, sessions) in `domain::accounts`.

pub mod admin;
pub mod codes;
pub mod counter;
pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
pub use vocab::accounts::Role;

use crate::error::AppError;

/// The version of the privacy notice on /privacy (its text is in `locales/*.ftl`). Change it
/// whenever the text changes: every consent is stored with the version agreed to.
pub const PRIVACY_NOTICE_VERSION: &str = "2026-12-06";

/// The signed-in person as pages see them: the phone number only ever masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub masked_phone: String,
    pub community_id: Option<i32>,
    pub community: Option<String>,
    pub compound: Option<String>,
    pub roles: Vec<Role>,
    /// Works cases of the closed loop: an officer, or a person of an organisation.
    pub works_cases: bool,
}

impl Me {
    /// Holds `role`; admins hold every power.
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|r| *r == role || *r == Role::Admin)
    }
}

/// A community and its compounds, for the registration form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityChoice {
    pub id: i32,
    pub name: String,
    pub compounds: Vec<(i32, String)>,
}

/// A row of the admin's user list. Admins are staff who need the full number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub phone: String,
    pub roles: Vec<Role>,
    pub created_at: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use axum::http::header::SET_COOKIE;
    use chrono::Utc;
    use domain::accounts::{self, Account, Role};
    use leptos::prelude::*;

    use crate::error::AppError;
    use crate::state::state;

    pub const SESSION_COOKIE: &str = "sid";

    fn request_headers() -> Option<axum::http::HeaderMap> {
        use_context::<axum::http::request::Parts>().map(|p| p.headers)
    }

    /// The session token the browser sent, if any.
    pub fn session_token() -> Option<String> {
        let state = state().ok()?;
        state
            .cookies
            .get(&request_headers()?, SESSION_COOKIE)
            .filter(|t| !t.is_empty())
    }

    /// The signed-in account, or `None` for a visitor.
    pub async fn current_account() -> Result<Option<(Account, String)>, AppError> {
        let Some(token) = session_token() else {
            return Ok(None);
        };
        let state = state()?;
        let account =
            accounts::session_account(&state.db, &token, state.sessions, Utc::now()).await?;
        Ok(account.map(|a| (a, token)))
    }

    /// The signed-in account, or 401.
    pub async fn require_account() -> Result<(Account, String), AppError> {
        current_account().await?.ok_or(AppError::Unauthorized)
    }

    /// The signed-in account holding `role` (admins hold all), or 401/403.
    pub async fn require_role(role: Role) -> Result<Account, AppError> {
        let (account, _) = require_account().await?;
        account.require(role).map_err(AppError::from)?;
        Ok(account)
    }

    /// Where the request came from, for throttling: the client as [`AppState::client`]
    /// finds it, as its subscriber (an IPv6 /64). `None` when it cannot be known, which the
    /// sign-in throttle refuses rather than count everybody under one key; that is a fault
    /// of the deployment, told to the log once, loudly.
    ///
    /// [`AppState::client`]: crate::state::AppState::client
    pub fn client_address() -> Option<std::net::IpAddr> {
        static TOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        let parts = use_context::<axum::http::request::Parts>();
        let client = state()
            .ok()
            .zip(parts)
            .and_then(|(state, parts)| state.client(&parts.headers, &parts.extensions));
        if client.is_none() && !TOLD.swap(true, std::sync::atomic::Ordering::Relaxed) {
            tracing::error!(
                "the client's address is unknown, so sign-ins are refused: serve with \
                 connection info, and behind a proxy set PORTAL_TRUST_PROXY to match how the \
                 proxy writes X-Forwarded-For"
            );
        }
        client.map(crate::state::subscriber)
    }

    /// Sets (or with `None`, clears) the session cookie on the response.
    pub fn set_session_cookie(token: Option<&str>) -> Result<(), AppError> {
        let state = state()?;
        let response = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Server)?;
        let cookie = match token {
            // A browser-session cookie: the server's idle and absolute limits decide the rest.
            Some(token) => state.cookies.set(SESSION_COOKIE, token, None),
            None => state.cookies.clear(SESSION_COOKIE),
        };
        response.append_header(SET_COOKIE, cookie.ok_or(AppError::Server)?);
        Ok(())
    }

    pub async fn me_of(account: &Account) -> Result<super::Me, AppError> {
        let db = crate::state::db()?;
        let (community, compound) = accounts::places(&db, &account.user).await?;
        let works_cases = account.has(accounts::Role::Officer)
            || account.has(accounts::Role::Admin)
            || !domain::casework::orgs_of(&db, account.user.id)
                .await?
                .is_empty();
        Ok(super::Me {
            works_cases,
            masked_phone: accounts::phone::mask(&account.user.phone),
            community_id: account.user.community_id,
            community,
            compound,
            roles: account.roles.clone(),
        })
    }
}

/// Who is signed in, if anyone.
#[server(endpoint = "me")]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    match ssr::current_account().await? {
        Some((account, _)) => Ok(Some(ssr::me_of(&account).await?)),
        None => Ok(None),
    }
}

#[server(endpoint = "register-options")]
pub async fn register_options() -> Result<Vec<CommunityChoice>, AppError> {
    let db = crate::state::db()?;
    Ok(domain::directory::communities_with_compounds(&db)
        .await?
        .into_iter()
        .map(|(community, compounds)| CommunityChoice {
            id: community.id,
            name: community.name,
            compounds: compounds.into_iter().map(|c| (c.id, c.name)).collect(),
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn parse_id(value: &str) -> Option<i32> {
    value.trim().parse().ok()
}

/// 注册: creates a resident account, signs it in and shows the resident their community.
#[server(endpoint = "register")]
pub async fn register(
    phone: String,
    password: String,
    community: String,
    compound: Option<String>,
    consent: Option<String>,
    code: Option<String>,
) -> Result<(), AppError> {
    use domain::accounts::{self, Registration};
    let state = crate::state::state()?;
    let now = chrono::Utc::now();
    let form = Registration {
        phone,
        password,
        community_id: parse_id(&community),
        compound_id: compound.as_deref().and_then(parse_id),
        consent: consent.is_some(),
        notice_version: PRIVACY_NOTICE_VERSION.to_owned(),
        // Where codes are in use, a registration without one is a wrong one.
        code: state.phone_codes.then(|| code.unwrap_or_default()),
    };
    let account = accounts::register(&state.db, form, now).await?;
    let token = accounts::start_session(&state.db, account.user.id, state.sessions, now).await?;
    ssr::set_session_cookie(Some(&token))?;
    let home = account
        .user
        .community_id
        .map(|id| format!("/communities/{id}"))
        .unwrap_or_else(|| "/me".into());
    leptos_axum::redirect(&home);
    Ok(())
}

/// 登录
#[server(endpoint = "login")]
pub async fn login(phone: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let state = crate::state::state()?;
    // The demo accounts' password is in the README: on a portal served to the public it
    // must open nothing, whichever account it is tried on.
    if password == domain::demo::DEMO_PASSWORD && !state.demo_sign_in {
        return Err(AppError::invalid("login-demo-refused"));
    }
    let address = ssr::client_address().ok_or(AppError::Server)?.to_string();
    let (_, token) = domain::accounts::login(
        &state.db,
        &phone,
        &password,
        &address,
        state.sessions,
        chrono::Utc::now(),
    )
    .await?;
    ssr::set_session_cookie(Some(&token))?;
    leptos_axum::redirect(next.as_deref().and_then(local_path).unwrap_or("/me"));
    Ok(())
}

/// Where to go after signing in: `next` when it is a path of this site, else nothing.
/// Browsers drop tabs and line breaks from a URL and read `\` as `/`, so `/\t/evil.example`
/// would leave the site: a control character, whitespace or backslash refuses it, and what
/// is left must parse as a path alone (no scheme, no host, not `//host`).
#[cfg(feature = "ssr")]
pub fn local_path(next: &str) -> Option<&str> {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let uri = next.parse::<axum::http::Uri>().ok()?;
    (plain && uri.scheme().is_none() && uri.authority().is_none()).then_some(next)
}

/// 退出: ends the session on the server, not only in the browser.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    if let Some(token) = ssr::session_token() {
        domain::accounts::logout(&crate::state::db()?, &token).await?;
    }
    ssr::set_session_cookie(None)?;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "change-password")]
pub async fn change_password(old: String, new: String) -> Result<(), AppError> {
    let (account, token) = ssr::require_account().await?;
    let address = ssr::client_address().ok_or(AppError::Server)?.to_string();
    let db = crate::state::db()?;
    let now = chrono::Utc::now();
    domain::accounts::change_password(&db, &account, &token, &old, &new, &address, now).await?;
    leptos_axum::redirect("/me?done=password");
    Ok(())
}

/// Deletes the account after the password is confirmed.
#[server(endpoint = "delete-account")]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    let (account, _) = ssr::require_account().await?;
    let address = ssr::client_address().ok_or(AppError::Server)?.to_string();
    let db = crate::state::db()?;
    domain::accounts::confirm_password(&db, &account, &password, &address, chrono::Utc::now())
        .await?;
    let files = domain::accounts::delete(&db, &account).await?;
    domain::files::forget_bytes(&crate::state::state()?.files, &files).await;
    ssr::set_session_cookie(None)?;
    leptos_axum::redirect("/?done=deleted");
    Ok(())
}

/// Admin: create an account or grant a role to an existing one.
#[server(endpoint = "admin/add-user")]
pub async fn admin_add_user(
    phone: String,
    password: Option<String>,
    role: String,
) -> Result<(), AppError> {
    use domain::accounts::{self, Role};
    let admin = ssr::require_role(Role::Admin).await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::invalid("error-invalid"))?;
    let password = password.filter(|p| !p.is_empty());
    accounts::add_user_by(
        &crate::state::db()?,
        domain::admin_log::Actor::admin(&admin)?,
        &phone,
        password.as_deref(),
        &[role],
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/admin?done=user");
    Ok(())
}

/// Admin: take a role back, and with it the memberships that rest on it. An admin cannot
/// take their own admin role, so the portal is never left without one by accident.
#[server(endpoint = "admin/revoke-role")]
pub async fn admin_revoke_role(phone: String, role: String) -> Result<(), AppError> {
    use domain::accounts::{self, Role};
    let admin = ssr::require_role(Role::Admin).await?;
    let role = Role::parse(&role).ok_or_else(|| AppError::invalid("error-invalid"))?;
    let db = crate::state::db()?;
    let user = accounts::find_by_phone(&db, &phone)
        .await?
        .ok_or_else(|| AppError::invalid("admin-no-such-user"))?;
    if user.id == admin.user.id && role == Role::Admin {
        return Err(AppError::invalid("admin-self-revoke"));
    }
    accounts::revoke(
        &db,
        domain::admin_log::Actor::admin(&admin)?,
        user.id,
        role,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/admin?done=user");
    Ok(())
}

/// Admin: the newest accounts with their roles.
#[server(endpoint = "admin/users")]
pub async fn admin_users() -> Result<Vec<UserRow>, AppError> {
    ssr::require_role(domain::accounts::Role::Admin).await?;
    Ok(domain::accounts::list(&crate::state::db()?, 200)
        .await?
        .into_iter()
        .map(|a| UserRow {
            phone: a.user.phone,
            roles: a.roles.clone(),
            created_at: a.user.created_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect())
}

/// Officers: registered residents per community.
#[server(endpoint = "staff/residents")]
pub async fn residents_per_community() -> Result<Vec<(String, u64)>, AppError> {
    ssr::require_role(domain::accounts::Role::Officer).await?;
    Ok(domain::accounts::residents_per_community(&crate::state::db()?).await?)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_path_of_this_site_is_somewhere_to_go_after_signing_in() {
        for fine in ["/me", "/mediation/cases/ZBS-2026-7K3Q9M?tab=1", "/%2F/x"] {
            assert_eq!(local_path(fine), Some(fine), "{fine}");
        }
        for elsewhere in [
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "evil.example",
            "",
            "/\u{3000}/evil.example",
        ] {
            assert_eq!(local_path(elsewhere), None, "{elsewhere:?}");
        }
    }
}
