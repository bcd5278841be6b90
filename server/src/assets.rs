//! Static files: compressed once at start-up (brotli at its best setting, gzip as the
//! fallback) so that each request is only a file read, and sent with cache headers.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use app::state::AppState;

const COMPRESSIBLE: [&str; 5] = ["wasm", "js", "css", "svg", "json"];
/// Past this size (a debug build's WASM) the best brotli setting takes too long at start-up.
const BEST_QUALITY_LIMIT: u64 = 2 * 1024 * 1024;

/// Writes `file.br` and `file.gz` beside every compressible file under `root` whose
/// compressed copies are missing or older than the file.
pub fn precompress(root: &Path) -> std::io::Result<usize> {
    let mut written = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if is_compressible(&path) {
                written += compress_file(&path)?;
            }
        }
    }
    Ok(written)
}

fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn is_fresh(original: &Path, copy: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((modified(original), modified(copy)), (Some(a), Some(b)) if b >= a)
}

/// The smallest brotli window that holds the whole file (a window holds 16 bytes less than
/// its power of two), from 64 KiB to brotli's usual 4 MiB: the same bytes out, and the best
/// setting's memory, which grows with the window, a sixteenth of it for the 220 KB bundle
/// (70 MB at start-up with the 4 MiB window).
fn window_bits(len: usize) -> u32 {
    (len + 16)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(16, 22)
}

fn compress_file(path: &Path) -> std::io::Result<usize> {
    let br = sibling(path, ".br");
    let gz = sibling(path, ".gz");
    if is_fresh(path, &br) && is_fresh(path, &gz) {
        return Ok(0);
    }
    let data = std::fs::read(path)?;
    let quality = if data.len() as u64 > BEST_QUALITY_LIMIT {
        5
    } else {
        11
    };
    let mut out = Vec::new();
    {
        let mut writer =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, window_bits(data.len()));
        writer.write_all(&data)?;
    }
    std::fs::write(&br, &out)?;
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&data)?;
    std::fs::write(&gz, gzip.finish()?)?;
    Ok(1)
}

/// Cache policy by path, and the service worker's own content policy. The bundle and the
/// stylesheet under a name with their content's hash (`portal.<hash>.js`) never change: a
/// browser keeps them a year without asking again, and a release names new files. Under
/// their plain names they are revalidated on each visit (a cheap 304), so that no stale
/// island runs against new HTML. A page or
/// an answer made for a signed-in person may carry their phone number, their cases or a
/// household's record, and one that sets a cookie carries a token: no copy of it is kept
/// anywhere (`no-store`), neither by the browser's back button on a shared phone nor by a
/// proxy on the way. What a visitor sees is revalidated every time (`no-cache`).
/// Whether the file's name carries a content hash: `name.<16 hex digits>.extension`.
fn has_content_hash(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.split('.');
    parts.next().is_some_and(|name| !name.is_empty())
        && parts
            .next()
            .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        && parts.next().is_some_and(|extension| !extension.is_empty())
        && parts.next().is_none()
}

pub async fn cache_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let personal = state
        .cookies
        .get(request.headers(), app::accounts::ssr::SESSION_COOKIE)
        .is_some();
    let is_bundle = request.uri().path().starts_with("/pkg/");
    let is_hashed = is_bundle && has_content_hash(request.uri().path());
    let is_service_worker = request.uri().path() == "/sw.js";
    // Photos and documents: their handler knows whether one is public (the same bytes for
    // everybody) or private, signed in or not.
    let is_attachment = request.uri().path().starts_with("/files/");
    let is_public_file = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    let mut response = next.run(request).await;
    let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
    let policy = if is_attachment && response.headers().contains_key(header::CACHE_CONTROL) {
        None
    } else if is_bundle || is_public_file {
        let unset = !response.headers().contains_key(header::CACHE_CONTROL);
        (unset && response.status().is_success()).then_some(if is_hashed {
            "public, max-age=31536000, immutable"
        } else if is_bundle {
            "no-cache"
        } else {
            "public, max-age=604800"
        })
    } else if personal || sets_cookie {
        Some("no-store")
    } else {
        (!response.headers().contains_key(header::CACHE_CONTROL)).then_some("no-cache")
    };
    if let Some(policy) = policy {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // The service worker fetches under its own script's policy: the portal's pages and
    // files, and nothing else. It is looked at anew on every visit, so a release reaches
    // the phones at once.
    if is_service_worker && response.status().is_success() {
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_holds_the_whole_file() {
        assert_eq!(window_bits(0), 16);
        assert_eq!(window_bits(219_049), 18);
        assert_eq!(window_bits((1 << 18) - 16), 18);
        assert_eq!(window_bits((1 << 18) - 15), 19);
        assert_eq!(window_bits(50 << 20), 22);
    }

    #[test]
    fn writes_brotli_and_gzip_copies_once() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("portal-assets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg"))?;
        std::fs::write(dir.join("pkg/app.js"), "console.log('家警务');".repeat(200))?;
        std::fs::write(dir.join("pkg/photo.png"), [0u8; 10])?;
        assert_eq!(precompress(&dir)?, 1);
        assert!(dir.join("pkg/app.js.br").exists() && dir.join("pkg/app.js.gz").exists());
        assert!(
            !dir.join("pkg/photo.png.br").exists(),
            "images are already compressed"
        );
        assert_eq!(precompress(&dir)?, 0, "fresh copies are kept");
        std::fs::remove_dir_all(&dir)
    }

    #[test]
    fn only_a_name_with_a_content_hash_is_kept_for_good() {
        assert!(has_content_hash("/pkg/portal.0123456789abcdef.wasm"));
        assert!(has_content_hash("/pkg/portal.fedcba9876543210.css"));
        assert!(!has_content_hash("/pkg/portal.css"));
        assert!(
            !has_content_hash("/pkg/portal.0123456789abcde.js"),
            "15 digits"
        );
        assert!(
            !has_content_hash("/pkg/portal.0123456789abcdeg.js"),
            "not hex"
        );
        assert!(!has_content_hash("/pkg/portal.0123456789abcdef.js.map"));
        assert!(!has_content_hash("/pkg/.0123456789abcdef.js"));
    }
}
