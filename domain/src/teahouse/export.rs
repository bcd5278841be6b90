//! What a person wrote and reported in the tea house, for "download my data".

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value, json};

use crate::Result;
use crate::entities::{board, flag, post, thread};

/// A post's moderation state as the person would want to know it.
fn moderation(hidden: bool, deleted: bool) -> &'static str {
    if deleted {
        "deleted"
    } else if hidden {
        "hidden"
    } else {
        "visible"
    }
}

/// Threads started and posts written, hidden and deleted ones included with their
/// moderation state, and the reports the person made. Who moderated, and who reported the
/// person's own posts, are other people and left out; so is the text of a post the person
/// reported (someone else wrote it — the export names the post and its thread).
pub async fn export_for(db: &impl ConnectionTrait, user_id: i32) -> Result<Map<String, Value>> {
    let boards: HashMap<i32, String> = board::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let threads = thread::Entity::find()
        .filter(thread::Column::AuthorId.eq(user_id))
        .order_by_asc(thread::Column::Id)
        .all(db)
        .await?;
    let posts = post::Entity::find()
        .filter(post::Column::AuthorId.eq(user_id))
        .order_by_asc(post::Column::Id)
        .all(db)
        .await?;
    let flags = flag::Entity::find()
        .filter(flag::Column::ReporterId.eq(user_id))
        .order_by_asc(flag::Column::Id)
        .all(db)
        .await?;
    let flagged: HashMap<i32, i32> = post::Entity::find()
        .filter(post::Column::Id.is_in(flags.iter().map(|f| f.post_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.thread_id))
        .collect();

    let mut out = Map::new();
    out.insert(
        "teahouse_threads".into(),
        threads
            .iter()
            .map(|t| {
                json!({
                    "thread": t.id,
                    "link": super::thread_link(t.id),
                    "board": boards.get(&t.board_id),
                    "title": t.title,
                    "status": t.status,
                    "as_resident": t.anonymous,
                    "locked": t.locked,
                    "moderation": moderation(t.hidden, false),
                    "started_at": t.created_at,
                })
            })
            .collect(),
    );
    out.insert(
        "teahouse_posts".into(),
        posts
            .iter()
            .map(|p| {
                json!({
                    "thread": p.thread_id,
                    "link": super::thread_link(p.thread_id),
                    "opening_post": p.is_opening,
                    "as_resident": p.anonymous,
                    "official_badge": p.official,
                    "body": p.body,
                    "moderation": moderation(p.hidden, p.deleted),
                    "written_at": p.created_at,
                })
            })
            .collect(),
    );
    out.insert(
        "teahouse_reports".into(),
        flags
            .iter()
            .map(|f| {
                json!({
                    "post": f.post_id,
                    "thread": flagged.get(&f.post_id),
                    "reason": f.reason,
                    "note": f.note,
                    "reported_at": f.created_at,
                    "dealt_with_at": f.resolved_at,
                })
            })
            .collect(),
    );
    Ok(out)
}
