//! The one translation layer: every visible string is a key in `app/locales/<tag>/*.ftl`
//! (Fluent), looked up for the reader's locale. zh-CN is the default, English second.
//! A test checks that both files carry the same keys and that every key the code uses
//! exists, so a missing translation fails the build's tests, not a resident's screen.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as used in `<html lang>`, the cookie and the form value.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-") {
            Some(Locale::ZhCn)
        } else if tag == "en" || tag.starts_with("en-") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header, in the order given.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        header
            .split(',')
            .filter_map(|part| Locale::from_tag(part.split(';').next().unwrap_or("")))
            .next()
    }

    /// The language the switch offers.
    pub fn other(self) -> Locale {
        match self {
            Locale::ZhCn => Locale::En,
            Locale::En => Locale::ZhCn,
        }
    }

    /// The catalogue: one file per feature under `locales/<tag>/`, joined at build time.
    fn source(self) -> &'static str {
        match self {
            Locale::ZhCn => concat!(
                include_str!("../../locales/zh-CN/core.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/mediation.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/notices.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/volunteers.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/teahouse.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/casework.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/video.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/counter.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/directory.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/calendar.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/outbox.ftl"),
            ),
            Locale::En => concat!(
                include_str!("../../locales/en/core.ftl"),
                "\n",
                include_str!("../../locales/en/mediation.ftl"),
                "\n",
                include_str!("../../locales/en/notices.ftl"),
                "\n",
                include_str!("../../locales/en/volunteers.ftl"),
                "\n",
                include_str!("../../locales/en/teahouse.ftl"),
                "\n",
                include_str!("../../locales/en/casework.ftl"),
                "\n",
                include_str!("../../locales/en/video.ftl"),
                "\n",
                include_str!("../../locales/en/counter.ftl"),
                "\n",
                include_str!("../../locales/en/directory.ftl"),
                "\n",
                include_str!("../../locales/en/calendar.ftl"),
                "\n",
                include_str!("../../locales/en/outbox.ftl"),
            ),
        }
    }
}

impl Locale {
    /// Sentences only server-rendered parts use: kept out of the browser's bundle, whose
    /// every byte each page's first load pays for.
    #[cfg(feature = "ssr")]
    fn server_source(self) -> &'static str {
        match self {
            Locale::ZhCn => concat!(
                include_str!("../../locales/zh-CN/files.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/antifraud.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/grades.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/enterprises.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/school.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/display.ftl"),
                "\n",
                include_str!("../../locales/zh-CN/lists.ftl"),
            ),
            Locale::En => concat!(
                include_str!("../../locales/en/files.ftl"),
                "\n",
                include_str!("../../locales/en/antifraud.ftl"),
                "\n",
                include_str!("../../locales/en/grades.ftl"),
                "\n",
                include_str!("../../locales/en/enterprises.ftl"),
                "\n",
                include_str!("../../locales/en/school.ftl"),
                "\n",
                include_str!("../../locales/en/display.ftl"),
                "\n",
                include_str!("../../locales/en/lists.ftl"),
            ),
        }
    }

    #[cfg(not(feature = "ssr"))]
    fn server_source(self) -> &'static str {
        ""
    }

    /// Every sentence this build knows.
    fn catalogue(self) -> String {
        format!("{}\n{}", self.source(), self.server_source())
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(locale: Locale) -> Bundle {
    let resource =
        FluentResource::try_new(locale.catalogue()).unwrap_or_else(|(partial, errors)| {
            leptos::logging::error!("{} translation has syntax errors: {errors:?}", locale.tag());
            partial
        });
    let lang = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Isolation marks are for mixed-direction text; here they would only leak into titles.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        leptos::logging::error!(
            "{} translation has duplicate keys: {errors:?}",
            locale.tag()
        );
    }
    bundle
}

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| [bundle(Locale::ZhCn), bundle(Locale::En)]);

fn format(locale: Locale, key: &str, args: Option<&FluentArgs>) -> String {
    let bundle = &BUNDLES[locale as usize];
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        leptos::logging::warn!("missing translation {key} for {}", locale.tag());
        return key.to_owned();
    };
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    if !errors.is_empty() {
        leptos::logging::warn!("translation {key} for {}: {errors:?}", locale.tag());
    }
    text
}

/// Whether the catalogue has a sentence under `key`.
pub fn is_key(key: &str) -> bool {
    BUNDLES[0].has_message(key)
}

/// The translator handed to every component through context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct I18n {
    pub locale: Locale,
}

impl I18n {
    pub fn t(self, key: &str) -> String {
        format(self.locale, key, None)
    }

    /// The sentence for a value of the vocabulary (e.g. a status), under `<prefix>-<value>`.
    pub fn label(self, prefix: &str, value: impl std::fmt::Display) -> String {
        self.t(&format!("{prefix}-{value}"))
    }

    /// A message with one named placeholder, such as `{ $code }`.
    pub fn arg(self, key: &str, name: &'static str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value));
        format(self.locale, key, Some(&args))
    }

    /// A message with several named placeholders.
    pub fn args(self, key: &str, values: &[(&'static str, &str)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in values {
            args.set(*name, FluentValue::from(*value));
        }
        format(self.locale, key, Some(&args))
    }

    /// A message with a `{ $count }` placeholder.
    pub fn count(self, key: &str, count: u64) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(count));
        format(self.locale, key, Some(&args))
    }
}

/// The reader's translator; zh-CN when none was provided.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(locale: Locale) -> BTreeSet<String> {
        locale
            .catalogue()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = keys(Locale::ZhCn);
        let en = keys(Locale::En);
        assert!(!zh.is_empty());
        assert_eq!(
            zh.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in en.ftl"
        );
        assert_eq!(
            en.difference(&zh).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in zh-CN.ftl"
        );
    }

    #[test]
    fn both_files_parse_without_errors() {
        for locale in Locale::ALL {
            assert!(
                FluentResource::try_new(locale.catalogue()).is_ok(),
                "{}",
                locale.tag()
            );
        }
    }

    /// Every `.t("…")` / `.count("…", …)` key used in the source exists in the catalogue.
    #[test]
    fn every_key_used_in_the_code_exists() {
        let known = keys(Locale::ZhCn);
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir)
                .expect("source dir is readable")
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                // This module's own tests use a missing key on purpose.
                if path.ends_with("i18n/mod.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for marker in [".t(\"", ".count(\"", ".arg(\"", ".args(\"", "t_key(\""] {
                    for piece in text.split(marker).skip(1) {
                        let key = piece.split('"').next().unwrap_or_default();
                        if !known.contains(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys missing from the catalogue: {missing:?}"
        );
    }

    /// The domain refuses with codes that are shown as sentences, inbox messages name their
    /// topic by key, and pages show words of the vocabulary through `label(prefix, value)`:
    /// each needs a sentence.
    #[cfg(feature = "ssr")]
    #[test]
    fn every_refusal_topic_and_word_of_the_vocabulary_has_a_sentence() {
        use vocab::{
            accounts, antifraud, casework, directory, mediation, notices, outbox, station,
            teahouse, volunteers,
        };
        let known = keys(Locale::ZhCn);
        let mut needed: Vec<String> = domain::REFUSAL_CODES
            .iter()
            .chain(domain::INBOX_TOPICS)
            .chain(&[
                domain::outbox::reminders::TOPICS,
                domain::accounts::codes::TOPICS,
                domain::outbox::addresses::TOPICS,
            ])
            .flat_map(|codes| codes.iter())
            .map(|c| c.to_string())
            .collect();
        // The prefix each page puts before a word of the vocabulary.
        let labelled: &[(&str, &[&str])] = &[
            ("mediation-type", mediation::DisputeType::NAMES),
            ("mediation-mode", mediation::Mode::NAMES),
            ("mediation-level", mediation::Level::NAMES),
            ("mediation-status", mediation::Status::NAMES),
            ("mediation-outcome", mediation::Outcome::NAMES),
            ("mediation-event", mediation::EventKind::NAMES),
            ("video-part", mediation::Part::NAMES),
            ("case-kind", casework::Kind::NAMES),
            ("case-stage", casework::Stage::NAMES),
            ("case-action", casework::Action::NAMES),
            ("teahouse-status", teahouse::ThreadStatus::NAMES),
            ("teahouse-flag-reason", teahouse::FlagReason::NAMES),
            ("teahouse-action", teahouse::Action::NAMES),
            ("teahouse-done", teahouse::Action::NAMES),
            ("notice-category", notices::Category::NAMES),
            ("notice-severity", notices::Severity::NAMES),
            ("notice-status", notices::Status::NAMES),
            ("volunteers-kind", volunteers::ShiftKind::NAMES),
            ("case-org", casework::OrgKind::NAMES),
            ("colour", casework::Colour::NAMES),
            ("admin-log-action", accounts::LogAction::NAMES),
            ("audit-via", accounts::Via::NAMES),
            ("reported-measure", station::Measure::NAMES),
            ("admin-group", accounts::Group::NAMES),
            ("directory-kind", directory::Kind::NAMES),
            ("role", accounts::Role::NAMES),
            ("outbox-kind", outbox::Kind::NAMES),
            ("outbox-channel", outbox::Channel::NAMES),
            ("outbox-receipt", outbox::Receipt::NAMES),
            ("outbox-status", outbox::Status::NAMES),
            ("antifraud-scam", antifraud::Scam::NAMES),
            ("case-concern", casework::Concern::NAMES),
            ("case-grade", casework::Grade::NAMES),
        ];
        for (prefix, names) in labelled {
            needed.extend(names.iter().map(|name| format!("{prefix}-{name}")));
        }
        // A directory file's problems are sentences too, though not refusals.
        needed.extend(
            domain::directory::file::PROBLEM_CODES
                .iter()
                .map(|c| c.to_string()),
        );
        needed.extend((1..=7).map(|d| format!("weekday-{d}")));
        needed.extend((1..=5).map(|r| format!("rating-{r}")));
        needed.extend(
            ["open", "taken", "closed", "withdrawn"]
                .iter()
                .map(|s| format!("help-status-{s}")),
        );
        let missing: Vec<_> = needed.iter().filter(|c| !known.contains(*c)).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn formats_counts_and_falls_back_to_the_key() {
        let zh = I18n {
            locale: Locale::ZhCn,
        };
        let en = I18n { locale: Locale::En };
        assert_eq!(zh.count("home-figure-communities", 10), "10 个社区");
        assert_eq!(en.count("home-figure-communities", 10), "10 communities");
        assert_eq!(en.t("no-such-key"), "no-such-key");
    }

    #[test]
    fn reads_accept_language() {
        assert_eq!(
            Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("zh-TW,zh;q=0.9"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::from_accept_language("fr-FR"), None);
    }
}
