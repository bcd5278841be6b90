//! `/api/v1/…`: JSON for other systems (the station's reporting, the district's dashboards).
//! Public figures only; nothing here names a person.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use domain::mediation::stats::Figures;
use serde_json::{Value, json};

use app::state::AppState;

fn figures(f: &Figures) -> Value {
    json!({
        "received": f.received,
        "concluded": f.concluded,
        "resolved": f.resolved,
        "amount_yuan": f.amount,
        "followed_up": f.followed_up,
        "satisfied": f.satisfied,
        "success_rate": f.success_rate(),
        "satisfaction_rate": f.satisfaction_rate(),
    })
}

/// `GET /api/v1/mediation/stats`: the figures of /stats — in total, per room, per month,
/// and referrals per target.
pub async fn mediation_stats(State(state): State<AppState>) -> Response {
    match domain::mediation::stats::stats(&state.db).await {
        Ok(stats) => {
            let body = json!({
                "total": figures(&stats.total),
                "rooms": stats.rooms.iter().map(|(id, name, f)| {
                    json!({ "id": id, "name": name, "figures": figures(f) })
                }).collect::<Vec<_>>(),
                "months": stats.months.iter().map(|(month, f)| {
                    json!({ "month": month, "figures": figures(f) })
                }).collect::<Vec<_>>(),
                "referrals": stats.referrals,
            });
            ([(header::CACHE_CONTROL, "no-cache")], Json(body)).into_response()
        }
        Err(e) => {
            tracing::error!(%e, "mediation figures");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({ "error": "unavailable" })),
            )
                .into_response()
        }
    }
}

#[derive(serde::Deserialize)]
pub struct FiguresQuery {
    table: String,
    period: Option<String>,
}

/// `GET /board/figures.csv?table=by_kind&period=90d`: the table behind one chart of
/// /board/figures, for officers.
pub async fn figures_csv(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<FiguresQuery>,
) -> Response {
    use domain::casework::figures::{csv, period_figures};
    let account = match crate::my_data::signed_in(&state, &headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    let period = query.period.as_deref().unwrap_or("90d");
    let computed = match period_figures(&state.db, &account, period, chrono::Utc::now()).await {
        Ok(Some(f)) => f,
        Ok(None) => return StatusCode::BAD_REQUEST.into_response(),
        Err(domain::Error::Forbidden) => return StatusCode::FORBIDDEN.into_response(),
        Err(e) => {
            tracing::error!(%e, "computing the figures");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    match csv(&computed, &query.table) {
        Some(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.csv\"", query.table),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
