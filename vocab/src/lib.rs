//! The portal's vocabulary: every closed set of values a record holds (statuses, kinds,
//! levels, categories, roles), one enum each, shared by the domain, the server functions and
//! the pages. Each value has one spelling, used in the database (where a CHECK constraint
//! holds the same list), in forms and in serialised data. Reading a spelling that is not in
//! the list is an error, never a default.

pub mod accounts;
pub mod antifraud;
pub mod casework;
pub mod directory;
pub mod mediation;
pub mod notices;
pub mod outbox;
pub mod station;
pub mod teahouse;
pub mod volunteers;

/// Declares an enum whose variants map one-to-one onto stored strings, with `ALL`,
/// `as_str` and `parse`, serde as that string, and (feature `db`) a sea-orm active enum
/// over a text column.
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "db", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "db", sea_orm(rs_type = "String", db_type = "Text"))]
        pub enum $name {
            $($(#[$vmeta])* #[cfg_attr(feature = "db", sea_orm(string_value = $text))] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// Every spelling, in the order of `ALL`: the options of a form's choice.
            pub const NAMES: &'static [&'static str] = &[$($text,)+];

            /// The one spelling of this value: stored, posted in forms, serialised.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Reads a spelling typed or posted by someone; `None` for anything else.
            pub fn parse(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text.trim())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&text, Self::NAMES)
                })
            }
        }
    };
}

pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use crate::mediation::Status;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error, StrDeserializer};

    fn read(text: &str) -> Result<Status, Error> {
        let input: StrDeserializer<Error> = text.into_deserializer();
        Status::deserialize(input)
    }

    #[test]
    fn every_value_reads_back_as_itself() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(*status));
            assert_eq!(read(status.as_str()), Ok(*status));
        }
    }

    #[test]
    fn an_unknown_spelling_is_an_error_not_a_default() {
        assert_eq!(Status::parse("Booked"), None);
        assert_eq!(Status::parse(""), None);
        let refused = read("bookd").map_err(|e| e.to_string());
        assert!(refused.is_err_and(|e| e.contains("bookd") && e.contains("booked")));
    }
}
