//! Search over thread titles and post bodies. Chinese has no spaces between words, so a word
//! index would need a segmenter; a substring match finds "漏水" inside "楼上漏水到我家" on
//! both engines, and the tea house's few thousand threads are scanned in milliseconds.
//! Several terms separated by spaces must all match.

use chrono::{DateTime, Utc};
use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, Query},
};

use super::THREADS_PER_PAGE;
use super::threads::{ThreadLine, lines_of, visible_to};
use crate::accounts::Account;
use crate::entities::{post, thread};
use crate::{Error, Result};

/// Terms a search uses at most; more are ignored.
const MAX_TERMS: usize = 5;

/// The LIKE pattern for `term`, with the pattern's own characters escaped.
fn pattern(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The terms of a query: split on any space (also the full-width one), at most `MAX_TERMS`.
pub fn terms(query: &str) -> Vec<String> {
    query
        .split(char::is_whitespace)
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .map(str::to_owned)
        .collect()
}

/// Threads matching every term in the title or a visible post, newest activity first.
pub async fn search(
    db: &impl ConnectionTrait,
    viewer: Option<&Account>,
    query: &str,
    page: u64,
    now: DateTime<Utc>,
) -> Result<(Vec<ThreadLine>, u64, u64)> {
    let terms = terms(query);
    if terms.is_empty() || query.trim().chars().count() > 100 {
        return Err(Error::Invalid("teahouse-search-short"));
    }
    let mut select = visible_to(thread::Entity::find(), viewer);
    for term in &terms {
        let like = || LikeExpr::new(pattern(term)).escape('\\');
        let in_title = Func::lower(Expr::col((thread::Entity, thread::Column::Title))).like(like());
        let in_posts = Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(post::Entity)
                .and_where(
                    Expr::col((post::Entity, post::Column::ThreadId))
                        .equals((thread::Entity, thread::Column::Id)),
                )
                .and_where(Expr::col((post::Entity, post::Column::Hidden)).eq(false))
                .and_where(Func::lower(Expr::col((post::Entity, post::Column::Body))).like(like()))
                .to_owned(),
        );
        select = select.filter(Condition::any().add(in_title).add(in_posts));
    }
    let total = select.clone().count(db).await?;
    let pages = std::cmp::max(total.div_ceil(THREADS_PER_PAGE), 1);
    let page = page.clamp(1, pages);
    let found = select
        .order_by_desc(thread::Column::LastPostAt)
        .order_by_desc(thread::Column::Id)
        .offset((page - 1) * THREADS_PER_PAGE)
        .limit(THREADS_PER_PAGE)
        .all(db)
        .await?;
    Ok((lines_of(db, viewer, found, now).await?, total, pages))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_split_on_any_space_and_patterns_escape() {
        assert_eq!(terms(" 漏水\u{3000}楼上  "), vec!["漏水", "楼上"]);
        assert_eq!(pattern("100%_a\\"), "%100\\%\\_a\\\\%");
        assert_eq!(pattern("WiFi"), "%wifi%");
    }
}
