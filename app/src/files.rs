//! Photos and documents on a page: the thumbnails of a case, a post or a notice, and the
//! plain multipart form that adds more. The form posts to `/files/{kind}/{id}` (served
//! by the server crate, not a server function: those take no files) and comes back with
//! `?files=<outcome>`; it works without JavaScript, and its CSRF field comes first because
//! the server reads the token before any file. Rules: `domain::files`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::use_i18n;
use crate::security::CsrfField;

/// The most files one item holds (the database keeps the same limit).
pub const MAX_FILES: usize = 6;

/// A file as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub key: String,
    pub pdf: bool,
    /// A document's name; photos are named by their place in the list.
    pub name: String,
    /// The thumbnail's size, so that the page does not move when it arrives.
    pub width: i32,
    pub height: i32,
    pub removable: bool,
}

#[cfg(feature = "ssr")]
impl From<domain::files::Listed> for FileView {
    fn from(listed: domain::files::Listed) -> FileView {
        let file = listed.file;
        FileView {
            pdf: file.kind == "pdf",
            width: file.thumb_width.unwrap_or_default(),
            height: file.thumb_height.unwrap_or_default(),
            key: file.key,
            name: file.name,
            removable: listed.removable,
        }
    }
}

#[cfg(feature = "ssr")]
pub fn views(listed: Vec<domain::files::Listed>) -> Vec<FileView> {
    listed.into_iter().map(FileView::from).collect()
}

/// An item's files and, for those who may add some, the form.
/// `target`: `case/ZB-…`, `post/12` or `notice/3`.
#[component]
pub fn Files(
    files: Vec<FileView>,
    target: String,
    may_add: bool,
    #[prop(optional)] pdf: bool,
) -> AnyView {
    let room = MAX_FILES.saturating_sub(files.len());
    let on = target.replace('/', "-");
    // Erased: a post's or a case's whole view as one concrete type nests deeper than the
    // compiler's query depth allows in test builds.
    (!files.is_empty() || may_add)
        .then(|| {
            view! {
                <section class="files" id=format!("files-{on}")>
                    <FilesOutcome on=on.clone() />
                    <FileList files />
                    {(may_add && room > 0).then(|| view! { <AddFiles target room pdf /> })}
                </section>
            }
        })
        .into_any()
}

/// What the last upload or removal here came to, from `?files=…&on=…`.
#[component]
fn FilesOutcome(on: String) -> impl IntoView {
    use leptos_router::hooks::use_query_map;
    let i18n = use_i18n();
    let query = use_query_map();
    move || {
        let query = query.read();
        if query.get("on").as_deref() != Some(on.as_str()) {
            return None;
        }
        let outcome = query.get("files")?;
        let (key, ok) = match outcome.as_str() {
            "added" => ("files-added".to_owned(), true),
            "removed" => ("files-removed".to_owned(), true),
            code => (code.to_owned(), false),
        };
        crate::i18n::is_key(&key).then(|| {
            if ok {
                view! {
                    <p class="notice-ok" role="status">
                        {i18n.t(&key)}
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <p class="form-error" role="alert">
                        {i18n.t(&key)}
                    </p>
                }
                .into_any()
            }
        })
    }
}

#[component]
fn FileList(files: Vec<FileView>) -> impl IntoView {
    let i18n = use_i18n();
    (!files.is_empty()).then(|| {
        let items = files
            .into_iter()
            .enumerate()
            .map(|(i, file)| {
                let href = format!("/files/{}", file.key);
                let shown = if file.pdf {
                    view! {
                        <a href=href.clone() class="file-doc">
                            {file.name.clone()}
                        </a>
                    }
                    .into_any()
                } else {
                    let alt = i18n.args("files-photo-n", &[("n", &(i + 1).to_string())]);
                    view! {
                        <a href=href.clone() class="file-photo">
                            <img
                                src=format!("{href}/thumb")
                                width=file.width
                                height=file.height
                                alt=alt
                                loading="lazy"
                            />
                        </a>
                    }
                    .into_any()
                };
                let remove = file.removable.then(|| {
                    view! {
                        <form method="post" action=format!("{href}/remove") class="inline">
                            <CsrfField />
                            <button type="submit" class="link">
                                {i18n.t("files-remove")}
                            </button>
                        </form>
                    }
                });
                view! { <li>{shown} {remove}</li> }
            })
            .collect_view();
        view! { <ul class="file-list">{items}</ul> }
    })
}

/// The form that adds files: one field that takes several at once (the phone's camera or
/// gallery), and a button.
#[component]
fn AddFiles(target: String, room: usize, pdf: bool) -> impl IntoView {
    let i18n = use_i18n();
    let accept = if pdf {
        "image/jpeg,image/png,image/webp,application/pdf"
    } else {
        "image/jpeg,image/png,image/webp"
    };
    let hint = i18n.args(
        if pdf {
            "files-hint-documents"
        } else {
            "files-hint"
        },
        &[("n", &room.to_string())],
    );
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    view! {
        <form
            method="post"
            action=format!("/files/{target}")
            enctype="multipart/form-data"
            class="form files-form"
            data-sending=i18n.t("files-sending")
            data-failed=i18n.t("files-failed")
        >
            <CsrfField />
            <label>
                {i18n.t(if pdf { "files-add-documents" } else { "files-add" })}
                <input type="file" name="file" accept=accept multiple required />
            </label>
            <p class="hint">{hint}</p>
            <button type="submit" class="button secondary">
                {i18n.t("files-upload")}
            </button>
        </form>
        <script src="/files.js" defer nonce=nonce></script>
    }
}
