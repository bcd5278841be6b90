//! The portal's domain: entities, migrations and the rules that hold whatever page or
//! command touches the data. Nothing here knows about HTTP or the browser.

pub mod accounts;
pub mod admin_log;
pub mod antifraud;
pub mod calendar;
pub mod casework;
pub mod db;
pub mod demo;
pub mod directory;
pub mod enterprises;
pub mod entities;
pub mod error;
pub mod files;
pub mod inbox;
pub mod kept;
pub mod mediation;
pub mod memberships;
pub mod migration;
pub mod notices;
pub mod outbox;
pub mod reported;
pub mod settings;
pub mod station;
pub mod teahouse;
pub mod testing;
pub mod text;
pub mod time;
pub mod volunteers;

pub use error::{Error, Result};
pub use sea_orm::{DatabaseConnection, DbBackend, DbErr};

/// Every code the domain refuses with (`Error::Invalid`, `Error::Throttled`), one list per
/// module; each code is also the key of the sentence that explains it (`app/locales`). A
/// test below finds every code written in the source, so a module's new code cannot be
/// forgotten here or there.
pub const REFUSAL_CODES: &[&[&str]] = &[
    accounts::REFUSAL_CODES,
    accounts::codes::REFUSAL_CODES,
    accounts::counter::REFUSAL_CODES,
    admin_log::REFUSAL_CODES,
    antifraud::REFUSAL_CODES,
    enterprises::REFUSAL_CODES,
    calendar::REFUSAL_CODES,
    casework::REFUSAL_CODES,
    directory::admin::REFUSAL_CODES,
    directory::file::REFUSAL_CODES,
    directory::import::REFUSAL_CODES,
    files::REFUSAL_CODES,
    mediation::REFUSAL_CODES,
    mediation::video::REFUSAL_CODES,
    memberships::REFUSAL_CODES,
    notices::REFUSAL_CODES,
    outbox::REFUSAL_CODES,
    outbox::addresses::REFUSAL_CODES,
    reported::REFUSAL_CODES,
    station::REFUSAL_CODES,
    teahouse::REFUSAL_CODES,
    volunteers::REFUSAL_CODES,
    volunteers::school::REFUSAL_CODES,
];

/// Every topic of an inbox message, one list per module; each is a translation key.
pub const INBOX_TOPICS: &[&[&str]] = &[
    mediation::INBOX_TOPICS,
    notices::INBOX_TOPICS,
    outbox::INBOX_TOPICS,
    teahouse::INBOX_TOPICS,
    volunteers::INBOX_TOPICS,
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The quoted codes inside every `Invalid(…)` and `Throttled(…)` of a source text.
    fn codes_in(source: &str) -> Vec<String> {
        let mut found = Vec::new();
        for opening in ["Invalid(", "Throttled("] {
            for (start, _) in source.match_indices(opening) {
                let mut depth = 0;
                let mut inside = String::new();
                for c in source[start + opening.len()..].chars() {
                    match c {
                        '(' => depth += 1,
                        ')' if depth == 0 => break,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    inside.push(c);
                }
                found.extend(
                    inside
                        .split('"')
                        .skip(1)
                        .step_by(2)
                        .filter(|word| word.contains('-') && !word.contains(' '))
                        .map(str::to_owned),
                );
            }
        }
        found
    }

    fn sources(dir: &Path, into: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("the source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                into.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn every_code_the_source_refuses_with_is_registered() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let registered: Vec<&str> = super::REFUSAL_CODES.concat();
        let mut missing = Vec::new();
        // This file's own example below is not a refusal.
        for (path, text) in files
            .iter()
            .filter(|(path, _)| !path.ends_with("src/lib.rs"))
        {
            for code in codes_in(text) {
                if !registered.contains(&code.as_str()) {
                    missing.push(format!("{code} ({path})"));
                }
            }
        }
        assert!(missing.is_empty(), "not in any REFUSAL_CODES: {missing:#?}");
    }

    #[test]
    fn the_scan_finds_codes_across_lines_and_branches() {
        let source = r#"Err(Error::Invalid(if locked {
            "teahouse-locked"
        } else {
            "teahouse-closed"
        }));
        Error::Throttled("login-throttled-address")"#;
        assert_eq!(
            codes_in(source),
            [
                "teahouse-locked",
                "teahouse-closed",
                "login-throttled-address"
            ]
        );
    }
}
