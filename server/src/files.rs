//! Photos and documents over HTTP, outside server functions (which take no files):
//! `POST /files/{case|post|notice}/{id}` takes up to six files from a plain multipart form,
//! `GET /files/{key}` and `/files/{key}/thumb` serve one to those who may see its item, and
//! `POST /files/{key}/remove` removes one. The rules are `domain::files`'.
//!
//! An upload is the one body larger than a form. The CSRF layer lets it through unread, and
//! this handler reads the form's first field, the token, before a byte of any file: a
//! forged form costs the server one field. Files are then read one at a time within the
//! limits, and decoded one at a time across the process, so that a burst of uploads cannot
//! take the memory pages need.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::sync::Semaphore;

use app::security::{CSRF_FIELD, ssr::same};
use app::state::AppState;
use domain::files::{Audience, MAX_FILE_BYTES, MAX_FILES, MAX_UPLOAD_BYTES, Owner};

/// Decoding a photo takes up to a few hundred megabytes for an instant: one at a time.
static DECODING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

/// The token the CSRF layer expects in an upload's first field, which it did not read.
#[derive(Clone)]
pub struct ExpectedToken(pub String);

/// Whether `path` takes files: the body limit and the CSRF layer treat these apart.
pub fn is_upload(path: &str) -> bool {
    path.strip_prefix("/files/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(kind, id)| {
            matches!(kind, "case" | "post" | "notice") && !id.is_empty() && !id.contains('/')
        })
}

/// The largest body an upload may carry: the files and the form around them.
pub const MAX_UPLOAD_BODY: usize = MAX_UPLOAD_BYTES + 64 * 1024;

fn owner(kind: &str, id: &str) -> Option<Owner> {
    match kind {
        "case" => Some(Owner::Case(id.to_owned())),
        "post" => id.parse().ok().map(Owner::Post),
        "notice" => id.parse().ok().map(Owner::Notice),
        _ => None,
    }
}

/// Back to the item's page, at its files (`on`: `case-ZB-…`, `post-12`), saying what
/// became of them.
fn back(link: &str, on: &str, outcome: &str) -> Response {
    let on = percent_encoding::utf8_percent_encode(on, percent_encoding::NON_ALPHANUMERIC);
    Redirect::to(&format!("{link}?files={outcome}&on={on}#files-{on}")).into_response()
}

/// The status the server functions answer the same refusal with (logged there too).
fn status(e: domain::Error) -> StatusCode {
    app::error::AppError::from(e).status()
}

/// `POST /files/{kind}/{id}` (an upload) or `POST /files/{key}/remove`.
pub async fn upload_or_remove(
    state: State<AppState>,
    Path((first, second)): Path<(String, String)>,
    request: Request,
) -> Response {
    if second == "remove" {
        remove(state, &first, request.headers()).await
    } else {
        upload(state, &first, &second, request).await
    }
}

async fn upload(State(state): State<AppState>, kind: &str, id: &str, request: Request) -> Response {
    let Some(owner) = owner(kind, id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(expected) = request.extensions().get::<ExpectedToken>().cloned() else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let account = match crate::my_data::signed_in(&state, request.headers()).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    let link = match domain::files::link_of(&state.db, &owner).await {
        Ok(link) => link,
        Err(e) => return status(e).into_response(),
    };
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let Some(boundary) = boundary else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let limits = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(MAX_UPLOAD_BODY as u64)
            .per_field(MAX_FILE_BYTES as u64),
    );
    let mut form = multer::Multipart::with_constraints(
        request.into_body().into_data_stream(),
        boundary,
        limits,
    );
    // The token first, or nothing at all is read.
    let token = match form.next_field().await {
        Ok(Some(field)) if field.name() == Some(CSRF_FIELD) => field.text().await.ok(),
        _ => None,
    };
    if !token.is_some_and(|token| same(&token, &expected.0)) {
        tracing::warn!("refused an upload without its form's token");
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut added = 0;
    let mut refusal = None;
    for _ in 0..=MAX_FILES {
        let (name, bytes) = match next_file(&mut form).await {
            Ok(Some(Some(file))) => file,
            Ok(Some(None)) => continue,
            Ok(None) => break,
            Err(
                multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. },
            ) => {
                refusal = Some("file-too-large");
                break;
            }
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        };
        match keep(&state, &account, &owner, &name, bytes).await {
            Ok(()) => added += 1,
            Err(domain::Error::Invalid(code)) => {
                refusal = Some(code);
                break;
            }
            Err(e) => return status(e).into_response(),
        }
    }
    let on = format!("{kind}-{id}");
    match (refusal, added) {
        (Some(code), _) => back(&link, &on, code),
        (None, 0) => back(&link, &on, "file-empty"),
        (None, _) => back(&link, &on, "added"),
    }
}

/// The form's next field: `None` at the end, `Some(None)` for a field that is no file (or
/// the empty, nameless one a form sends when no file was chosen), else the file's name and
/// bytes.
async fn next_file(
    form: &mut multer::Multipart<'_>,
) -> Result<Option<Option<(String, axum::body::Bytes)>>, multer::Error> {
    let Some(field) = form.next_field().await? else {
        return Ok(None);
    };
    if field.name() != Some("file") {
        return Ok(Some(None));
    }
    let name = field.file_name().unwrap_or_default().to_owned();
    let bytes = field.bytes().await?;
    Ok(Some(
        (!(bytes.is_empty() && name.is_empty())).then_some((name, bytes)),
    ))
}

async fn keep(
    state: &AppState,
    account: &domain::accounts::Account,
    owner: &Owner,
    name: &str,
    bytes: axum::body::Bytes,
) -> domain::Result<()> {
    let pdf_allowed = matches!(owner, Owner::Case(_));
    let prepared = {
        let _turn = DECODING
            .acquire()
            .await
            .map_err(|_| domain::Error::Internal("the decoding queue closed"))?;
        tokio::task::spawn_blocking(move || domain::files::prepare(&bytes, pdf_allowed))
            .await
            .map_err(|_| domain::Error::Internal("decoding a photo"))??
    };
    domain::files::attach(
        &state.db,
        &state.files,
        account,
        owner,
        name,
        prepared,
        chrono::Utc::now(),
    )
    .await
    .map(|_| ())
}

/// `GET /files/{key}`: the file, to those who may see its item.
pub async fn full(state: State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    serve(state, &key, false, &headers).await
}

/// `GET /files/{key}/thumb`: its thumbnail.
pub async fn thumb(
    state: State<AppState>,
    Path((key, what)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if what != "thumb" {
        return StatusCode::NOT_FOUND.into_response();
    }
    serve(state, &key, true, &headers).await
}

async fn serve(
    State(state): State<AppState>,
    key: &str,
    thumb: bool,
    headers: &HeaderMap,
) -> Response {
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let viewer = crate::my_data::signed_in(&state, headers).await.ok();
    let (file, audience) = match domain::files::open(&state.db, viewer.as_ref(), key).await {
        Ok(found) => found,
        Err(e) => return status(e).into_response(),
    };
    let kind = domain::files::Kind::parse(&file.kind).unwrap_or(domain::files::Kind::Photo);
    if thumb && kind != domain::files::Kind::Photo {
        return StatusCode::NOT_FOUND.into_response();
    }
    let stored = if thumb {
        domain::files::thumb_key(key)
    } else {
        key.to_owned()
    };
    let body = match state.files.get(&stored).await {
        Ok(body) => body,
        Err(e) => return status(e).into_response(),
    };
    let disposition = match kind {
        domain::files::Kind::Photo => "inline; filename=\"photo.jpg\"".to_owned(),
        domain::files::Kind::Pdf => format!(
            "attachment; filename=\"document.pdf\"; filename*=UTF-8''{}",
            percent_encoding::utf8_percent_encode(&file.name, percent_encoding::NON_ALPHANUMERIC)
        ),
    };
    let caching = match audience {
        // The key names these bytes for ever; a hidden post's files stop being served here.
        Audience::Public => "public, max-age=31536000, immutable",
        Audience::Private => "private, no-store",
    };
    let mut response = Body::from(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.content_type()),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    // A document opened in the browser runs nothing and reaches nothing.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Removes one file and goes back to its page.
async fn remove(State(state): State<AppState>, key: &str, headers: &HeaderMap) -> Response {
    let account = match crate::my_data::signed_in(&state, headers).await {
        Ok(account) => account,
        Err(status) => return status.into_response(),
    };
    match domain::files::remove(&state.db, &state.files, &account, key).await {
        Ok((link, on)) => back(&link, &on, "removed"),
        Err(e) => status(e).into_response(),
    }
}
