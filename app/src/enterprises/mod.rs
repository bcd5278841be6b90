//! /enterprise — 警企联络室: an enterprise's contacts file service requests (驻企服务) into
//! the loop and read how far each has come; officers read any enterprise's board at
//! `/enterprises/{id}`. The form is a plain HTML form.

pub mod pages;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    pub code: String,
    pub title: String,
    pub summary: String,
    pub stage: String,
    pub filed_at: String,
    pub closed_at: Option<String>,
    pub outcome: Option<String>,
    pub mine: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseBoard {
    pub id: i32,
    pub name: String,
    pub address: String,
    pub community: String,
    pub may_file: bool,
    /// Staff follow a request to its case in the loop; contacts read it here.
    pub staff: bool,
    pub requests: Vec<RequestLine>,
}

/// The board of enterprise `id`, or with none the signed-in contact's own.
#[server(endpoint = "enterprise", input = server_fn::codec::GetUrl)]
pub async fn board_view(id: Option<i32>) -> Result<EnterpriseBoard, AppError> {
    use domain::accounts::Role;
    use domain::time::format_local;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let id = match id {
        Some(id) => id,
        None => domain::enterprises::of_contact(&db, &me)
            .await?
            .map(|e| e.id)
            .ok_or(domain::Error::NotFound)?,
    };
    let board = domain::enterprises::board(&db, &me, id).await?;
    Ok(EnterpriseBoard {
        id,
        name: board.enterprise.name,
        address: board.enterprise.address,
        community: board.community,
        may_file: board.may_file,
        staff: me.has(Role::Officer) || me.has(Role::Admin),
        requests: board
            .requests
            .into_iter()
            .map(|r| RequestLine {
                code: r.code,
                title: r.title,
                summary: r.summary,
                stage: r.stage.as_str().to_owned(),
                filed_at: format_local(r.filed_at),
                closed_at: r.closed_at.map(format_local),
                outcome: r.outcome,
                mine: r.mine,
            })
            .collect(),
    })
}

/// A contact files a service request for their enterprise.
#[server(endpoint = "enterprise/request")]
pub async fn file_request(title: String, body: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let code =
        domain::enterprises::file(&crate::state::db()?, &me, &title, &body, chrono::Utc::now())
            .await?;
    leptos_axum::redirect(&format!("/enterprise?done=filed#{code}"));
    Ok(())
}
