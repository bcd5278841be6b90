//! Admins open boards (how another police office opens its own tea house) and make accounts
//! liaisons of a room, whose answers then carry the room's badge. Shown on /admin.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, FormError, Loaded};
use crate::i18n::use_i18n;
use crate::security::CsrfField;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardChoices {
    pub offices: Vec<(i32, String)>,
    /// (room id, "office · room")
    pub rooms: Vec<(i32, String)>,
}

#[server(endpoint = "admin/teahouse-options", input = server_fn::codec::GetUrl)]
pub async fn teahouse_choices() -> Result<BoardChoices, AppError> {
    crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let (offices, rooms) = domain::teahouse::offices_and_rooms(&crate::state::db()?).await?;
    let offices: Vec<(i32, String)> = offices.into_iter().map(|o| (o.id, o.name)).collect();
    let rooms = rooms
        .into_iter()
        .map(|r| {
            let office = offices
                .iter()
                .find(|(id, _)| *id == r.police_office_id)
                .map(|(_, name)| name.as_str())
                .unwrap_or_default();
            (r.id, format!("{office} · {}", r.name))
        })
        .collect();
    Ok(BoardChoices { offices, rooms })
}

#[server(endpoint = "admin/add-liaison")]
pub async fn add_liaison(phone: String, room: i32) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let db = crate::state::db()?;
    let user = domain::accounts::find_by_phone(&db, &phone)
        .await?
        .ok_or_else(|| AppError::invalid("admin-no-such-user"))?;
    domain::memberships::add(
        &db,
        &admin,
        user.id,
        domain::memberships::Group::LiaisonRoom,
        room,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect("/admin?done=user");
    Ok(())
}

/// The open-board form's fields (`board[field]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardForm {
    pub office: i32,
    /// Empty for a general board.
    #[serde(default)]
    pub room: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub answer_hours: i32,
}

#[server(endpoint = "admin/open-board")]
pub async fn open_board(board: BoardForm) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let liaison_room_id = match board.room.trim() {
        "" => None,
        id => Some(
            id.parse()
                .map_err(|_| AppError::invalid("teahouse-board-invalid"))?,
        ),
    };
    let opened = domain::teahouse::open_board(
        &crate::state::db()?,
        &admin,
        domain::teahouse::NewBoard {
            police_office_id: board.office,
            liaison_room_id,
            name: board.name,
            description: board.description,
            answer_hours: board.answer_hours,
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/teahouse/b/{}", opened.id));
    Ok(())
}

/// The admin page's tea-house panel.
#[component]
pub fn TeahouseAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let choices = Resource::new(|| (), |_| teahouse_choices());
    view! {
        <section class="panel">
            <h2>{i18n.t("admin-teahouse")}</h2>
            <Loaded
                resource=choices
                view=move |choices| {
                    view! {
                        <h3>{i18n.t("admin-add-liaison")}</h3>
                        <form method="post" action=AddLiaison::PATH class="form">
                            <CsrfField />
                            <FormError path=AddLiaison::PATH />
                            <label>
                                {i18n.t("field-phone")}
                                <input type="tel" name="phone" required inputmode="numeric" />
                            </label>
                            <label>
                                {i18n.t("admin-liaison-room")}
                                <select name="room">
                                    {choices
                                        .rooms
                                        .iter()
                                        .map(|(id, name)| {
                                            view! {
                                                <option value=id.to_string()>{name.clone()}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button">
                                {i18n.t("admin-add-liaison")}
                            </button>
                        </form>
                        <h3>{i18n.t("admin-open-board")}</h3>
                        <form method="post" action=OpenBoard::PATH class="form">
                            <CsrfField />
                            <FormError path=OpenBoard::PATH />
                            <label>
                                {i18n.t("admin-board-office")}
                                <select name="board[office]">
                                    {choices
                                        .offices
                                        .iter()
                                        .map(|(id, name)| {
                                            view! {
                                                <option value=id.to_string()>{name.clone()}</option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <label>
                                {i18n.t("admin-liaison-room")} <select name="board[room]">
                                    <option value="">{i18n.t("admin-board-general")}</option>
                                    {choices
                                        .rooms
                                        .into_iter()
                                        .map(|(id, name)| {
                                            view! { <option value=id.to_string()>{name}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <label>
                                {i18n.t("admin-board-name")}
                                <input type="text" name="board[name]" required maxlength="50" />
                            </label>
                            <label>
                                {i18n.t("admin-board-description")}
                                <input type="text" name="board[description]" maxlength="300" />
                            </label>
                            <label>
                                {i18n.t("admin-board-hours")}
                                <input
                                    type="number"
                                    name="board[answer_hours]"
                                    value="48"
                                    min="1"
                                    max="720"
                                    required
                                />
                            </label>
                            <button type="submit" class="button">
                                {i18n.t("admin-open-board")}
                            </button>
                        </form>
                    }
                }
            />
        </section>
    }
}
