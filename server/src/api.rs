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

/// `GET /api/v1/mediation/stats`: the figures of /stats — in total, per room, per month.
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
