//! One message on its way out of the portal, to one person by one channel (the outbox).

use sea_orm::entity::prelude::*;
use vocab::outbox::{Channel, Kind, Receipt, Status};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The person; `None` for a number with no account yet (a registration's code).
    pub user_id: Option<i32>,
    /// That number; `None` when the person's own is used.
    pub phone: Option<String>,
    pub channel: Channel,
    pub kind: Kind,
    /// The translation key of the text; with `subject` and `starts_at` its arguments.
    pub topic: String,
    pub subject: String,
    /// Where in the portal the message points, as a path.
    pub link: String,
    pub starts_at: Option<DateTimeUtc>,
    pub urgent: bool,
    pub notice_id: Option<i32>,
    /// A reminder's unique name; `None` for everything else.
    pub dedupe: Option<String>,
    pub status: Status,
    pub tries: i32,
    pub next_try_at: DateTimeUtc,
    pub lease_holder: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// The provider's last answer.
    pub answer: Option<String>,
    /// The provider's name for the message it took (阿里云短信's BizId), to ask for its receipt.
    pub provider_ref: Option<String>,
    /// What the carrier reported; `None` until it does.
    pub receipt: Option<Receipt>,
    pub receipt_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
