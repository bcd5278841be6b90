//! The CSRF layer: every POST (and any other unsafe method) must carry the token of the
//! browser's `csrf` cookie, as the form field `csrf` or the `x-csrf-token` header, and
//! must not come from another site. Checked once here, before any server function runs.
//! A multipart form (the directory file's upload) carries it as a field too: the body is
//! read up to the same limit as any form, and nothing past the limit is read at all. An
//! upload of photos (`files::is_upload`) is larger: its handler checks the token, which
//! comes first, before it reads any file.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::security::{CSRF_FIELD, CSRF_HEADER, ssr::same};
use app::state::AppState;

/// Forms here are small; anything larger is not one of ours.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    // Browsers say where a request comes from: only this origin's own pages (or the
    // person typing an address) may change anything. Another site is refused outright, and
    // so is a sibling of ours (`same-site`: another subdomain or port), which could have set
    // the CSRF cookie itself where cookies are not bound to this host.
    if let Some(from) = headers.get("sec-fetch-site")
        && !(from == "same-origin" || from == "none")
    {
        return refuse("request from another origin");
    }
    let Some(expected) = state.cookies.get(headers, CSRF_FIELD) else {
        return refuse("no CSRF cookie");
    };
    if let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if same(sent, &expected) {
            next.run(request).await
        } else {
            refuse("wrong CSRF header")
        };
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let boundary = content_type
        .starts_with("multipart/form-data")
        .then(|| multer::parse_boundary(content_type).ok())
        .flatten();
    if !is_form && boundary.is_none() {
        return refuse("no CSRF token");
    }
    if boundary.is_some() && crate::files::is_upload(request.uri().path()) {
        // Photos: the handler reads the token, the form's first field, before any file.
        let mut request = request;
        request
            .extensions_mut()
            .insert(crate::files::ExpectedToken(expected));
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response(),
    };
    let sent = match boundary {
        Some(boundary) => multipart_field(bytes.clone(), boundary, CSRF_FIELD).await,
        None => form_field(&bytes, CSRF_FIELD),
    };
    if !sent.is_some_and(|sent| same(&sent, &expected)) {
        return refuse("wrong CSRF field");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The text of the field `name` of a multipart body (already within the size limit);
/// forms put the token first, so a file after it is not parsed here.
async fn multipart_field(body: Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// A page that says, in both languages, what to do: the form was older than the cookie,
/// or came from elsewhere.
fn refuse(why: &'static str) -> Response {
    tracing::warn!(why, "refused a state-changing request");
    let body = "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" \
                content=\"width=device-width\"><title>请刷新后重试</title><p>页面已过期或来源不明，\
                请返回上一页，刷新后再试一次。</p><p lang=\"en\">This page has expired or did not come \
                from this site. Please go back, reload the page and try again.</p><p><a href=\"/\">首页 \
                Home</a></p></html>";
    let mut response = (StatusCode::FORBIDDEN, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::form_field;

    #[test]
    fn finds_the_token_among_form_fields() {
        assert_eq!(
            form_field(b"phone=138&csrf=abc&password=x", "csrf").as_deref(),
            Some("abc")
        );
        assert_eq!(form_field(b"phone=138", "csrf"), None);
        assert_eq!(form_field(&[0xff, 0xfe], "csrf"), None);
    }
}
