//! Files of cases, tea-house posts and notices. Each belongs to exactly one item, an item
//! holds at most six (a slot from 1 to 6, unique per item, so concurrent uploads cannot
//! pass the limit), and only cases take PDFs. A file goes with its item; the person's own
//! files go with their account (`accounts::delete`), notice posters stay with the notice.

use sea_orm_migration::{prelude::*, schema::*};

use super::{col, foreign_key, user_id};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    Key,
    CaseId,
    PostId,
    NoticeId,
    Slot,
    Kind,
    Name,
    Bytes,
    Width,
    Height,
    ThumbWidth,
    ThumbHeight,
    UploadedBy,
    CreatedAt,
}

const OWNERS: [(Attachments, &str); 3] = [
    (Attachments::CaseId, "mediation_cases"),
    (Attachments::PostId, "posts"),
    (Attachments::NoticeId, "notices"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Attachments::Table)
            .col(pk_auto(Attachments::Id))
            .col(string_len(Attachments::Key, 40).unique_key())
            .col(integer_null(Attachments::CaseId))
            .col(integer_null(Attachments::PostId))
            .col(integer_null(Attachments::NoticeId))
            .col(integer(Attachments::Slot).check(Expr::cust("slot BETWEEN 1 AND 6")))
            .col(string_len(Attachments::Kind, 8).check(Expr::cust("kind IN ('photo', 'pdf')")))
            .col(string_len(Attachments::Name, 120))
            .col(integer(Attachments::Bytes).check(Expr::cust("bytes > 0")))
            .col(integer_null(Attachments::Width))
            .col(integer_null(Attachments::Height))
            .col(integer_null(Attachments::ThumbWidth))
            .col(integer_null(Attachments::ThumbHeight))
            .col(integer_null(Attachments::UploadedBy))
            .col(timestamp_with_time_zone(Attachments::CreatedAt))
            .check(Expr::cust(
                "(CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) \
                 + (CASE WHEN post_id IS NULL THEN 0 ELSE 1 END) \
                 + (CASE WHEN notice_id IS NULL THEN 0 ELSE 1 END) = 1",
            ))
            .check(Expr::cust("kind = 'photo' OR case_id IS NOT NULL"))
            .foreign_key(&mut foreign_key(
                col(Attachments::Table, Attachments::UploadedBy),
                user_id(),
                ForeignKeyAction::SetNull,
            ));
        for (column, owner) in OWNERS {
            table.foreign_key(&mut foreign_key(
                col(Attachments::Table, column),
                col(Alias::new(owner), Alias::new("id")),
                ForeignKeyAction::Cascade,
            ));
        }
        manager.create_table(table.to_owned()).await?;
        for (column, owner) in OWNERS {
            manager
                .create_index(
                    Index::create()
                        .name(format!("ux_attachments_{owner}_slot"))
                        .table(Attachments::Table)
                        .col(column)
                        .col(Attachments::Slot)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_tables(manager, vec![Attachments::Table.into_iden()]).await
    }
}
