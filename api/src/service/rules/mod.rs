//! The rules of each kind of record: one module per kind, holding its [`Record`] — how the
//! pipeline loads, checks and stores it. [`Record::check`] there is the only place a field rule
//! of that kind is written; a mutation, an import row and a lineage step are all checked by it.
//!
//! [`Record`]: super::record::Record
//! [`Record::check`]: super::record::Record::check

mod agreement;
mod collaboration;
mod material;
mod region;
mod regional_table;
mod resv;
mod seat;
mod subsidy;
mod voucher;

pub use agreement::Agreement;
pub use collaboration::{Collaboration, POPULATION};
pub use material::Material;
pub use region::new_region;
pub use regional_table::new_party;
pub use resv::new_resv;
pub use seat::Seat;
pub use subsidy::{new_subsidy, subsidy_range};
pub use voucher::VOUCHER_RANGE;

use super::record::{Problem, Problems, Writer};
use crate::access;
use crate::error::{ApiError, ApiResult};
use chrono::NaiveDate;
use entity::DisciplineCode;
use sea_orm::{ColumnTrait, QueryFilter};

/// `impl Record` for a kind whose record is one row of `$module` (no link rows). The kind names
/// the scope it is loaded through (`scope: access::resvs`) and whose keepers may change a row
/// (`keepers: |row| Keepers::Region(row.region_id)`, see [`Keepers`]); the storage half (load,
/// id, version, stamp, insert, save, remove) is written here, the kind's rules (`check`, and
/// `check_stored` where it has one) follow as the body.
macro_rules! single_row_record {
    ($module:ident, $kind:expr, {
        scope: $scope:path,
        keepers: |$row:pat_param| $keepers:expr,
        $($body:tt)*
    }) => {
        #[async_trait::async_trait]
        impl Record for $module::Model {
        const KIND: Kind = $kind;

        async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
            $crate::service::rules::row_by_id(w, $scope(w.viewer), $module::Column::Id, id).await
        }

        async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>> {
            let $row = self;
            $crate::service::rules::Keepers::region_code($keepers, w).await
        }

        $($body)*

        fn id(&self) -> i32 {
            self.id
        }

        fn version(&self) -> i32 {
            self.version
        }

        fn stamp(&mut self, version: i32, at: chrono::DateTime<chrono::Utc>, by: Option<String>) {
            $crate::service::record::stamp_row(
                &mut self.version,
                &mut self.updated_at,
                (&mut self.imported_at, &mut self.imported_by),
                (version, at, by),
            );
        }

        async fn insert(&self, w: &Writer<'_>) -> ApiResult<Self> {
            $crate::service::record::insert_row::<Self, $module::ActiveModel>(w, self.clone())
                .await
        }

        async fn save(&self, w: &Writer<'_>, before: &Self) -> ApiResult<()> {
            $crate::service::record::save_row::<Self, $module::ActiveModel>(
                w,
                self.clone(),
                ($module::Column::Id, before.id),
                ($module::Column::Version, before.version),
            )
            .await
        }

        async fn remove(&self, w: &Writer<'_>) -> ApiResult<()> {
            $crate::service::record::remove_row::<$module::Entity>(
                w,
                ($module::Column::Id, self.id),
                ($module::Column::Version, self.version),
            )
            .await
        }
        }
    };
}

use single_row_record;

/// `impl Record` for a kind whose record is a row (its field `row`, of `$module`) with link rows
/// (a collaboration's disciplines, a material's themes). Like [`single_row_record!`] the kind
/// names its scope and keepers, and then its links, one a field:
///
/// `disciplines: seat_discipline(seat_id: SeatId, discipline_code: DisciplineCode, resv_id) in
/// access::seat_disciplines` — the field `disciplines` holds the `discipline_code` of each row of
/// `seat_discipline` whose `seat_id` is the record's id, as the writer sees them (through
/// `access::seat_disciplines`), in that order; storing the record replaces those rows, the
/// columns named after the pair (`resv_id`) taking the row's value of the same name.
///
/// The storage half (load with the links, id, version, stamp, insert, save, remove, and the
/// links' `store_links`) is written here; the kind's rules follow as the body.
macro_rules! linked_record {
    ($record:ty, $module:ident, $kind:expr, {
        scope: $scope:path,
        keepers: |$row:pat_param| $keepers:expr,
        links: {
            $($field:ident: $link:ident(
                $parent:ident: $Parent:ident, $item:ident: $Item:ident $(, $copied:ident)*
            ) in $links:path),+ $(,)?
        },
        $($body:tt)*
    }) => {
        #[async_trait::async_trait]
        impl Record for $record {
        const KIND: Kind = $kind;

        async fn load(w: &Writer<'_>, id: i32) -> ApiResult<Option<Self>> {
            use $crate::service::rules::{links_of, row_by_id};
            let Some(row) = row_by_id(w, $scope(w.viewer), $module::Column::Id, id).await? else {
                return Ok(None);
            };
            Ok(Some(Self {
                row,
                $($field: links_of(
                    w,
                    $links(w.viewer),
                    ($link::Column::$Parent, id),
                    $link::Column::$Item,
                    |link| link.$item,
                )
                .await?,)+
            }))
        }

        async fn region_code(&self, w: &Writer<'_>) -> ApiResult<Option<String>> {
            let $row = &self.row;
            $crate::service::rules::Keepers::region_code($keepers, w).await
        }

        $($body)*

        fn id(&self) -> i32 {
            self.row.id
        }

        fn version(&self) -> i32 {
            self.row.version
        }

        fn stamp(&mut self, version: i32, at: chrono::DateTime<chrono::Utc>, by: Option<String>) {
            let row = &mut self.row;
            $crate::service::record::stamp_row(
                &mut row.version,
                &mut row.updated_at,
                (&mut row.imported_at, &mut row.imported_by),
                (version, at, by),
            );
        }

        async fn insert(&self, w: &Writer<'_>) -> ApiResult<Self> {
            let row = $crate::service::record::insert_row::<Self, $module::ActiveModel>(
                w,
                self.row.clone(),
            )
            .await?;
            let created = Self { row, ..self.clone() };
            created.store_links(w).await?;
            Ok(created)
        }

        async fn save(&self, w: &Writer<'_>, before: &Self) -> ApiResult<()> {
            $crate::service::record::save_row::<Self, $module::ActiveModel>(
                w,
                self.row.clone(),
                ($module::Column::Id, before.row.id),
                ($module::Column::Version, before.row.version),
            )
            .await?;
            // The links changed if the record with the stored row differs from the stored one.
            let links_only = Self { row: before.row.clone(), ..self.clone() };
            if links_only != *before {
                self.store_links(w).await?;
            }
            Ok(())
        }

        async fn remove(&self, w: &Writer<'_>) -> ApiResult<()> {
            $crate::service::record::remove_row::<$module::Entity>(
                w,
                ($module::Column::Id, self.row.id),
                ($module::Column::Version, self.row.version),
            )
            .await
        }
        }

        impl $record {
            /// Replaces the record's link rows by one a linked item.
            async fn store_links(&self, w: &Writer<'_>) -> ApiResult<()> {
                let row = &self.row;
                $($crate::service::rules::replace::<$link::ActiveModel, _>(
                    w,
                    ($link::Column::$Parent, row.id),
                    &self.$field,
                    |item| $link::Model { $parent: row.id, $item: item, $($copied: row.$copied,)* },
                )
                .await?;)+
                Ok(())
            }
        }
    };
}

use linked_record;

/// Whose keepers may change a record, as a kind names them in its `impl Record`: the region
/// whose keepers they are, if the right is per region.
pub enum Keepers<'a> {
    /// The national editors only (funding, LeVEL): no region's keepers.
    National,
    /// The keepers of the region with this id.
    Region(i32),
    /// The keepers of the region of the RESV with this id; NOT_FOUND naming `.1` if the writer
    /// does not see that RESV.
    Resv(i32, &'static str),
    /// The keepers of the region with this code (a region's own).
    Code(&'a str),
}

impl Keepers<'_> {
    /// The code of the region whose keepers these are, as the writer sees it.
    async fn region_code(self, w: &Writer<'_>) -> ApiResult<Option<String>> {
        let region_id = match self {
            Keepers::National => return Ok(None),
            Keepers::Code(code) => return Ok(Some(code.to_owned())),
            Keepers::Region(id) => id,
            Keepers::Resv(id, missing) => {
                row_by_id(w, access::resvs(w.viewer), entity::resv::Column::Id, id)
                    .await?
                    .ok_or(ApiError::NotFound(missing))?
                    .region_id
            }
        };
        row_by_id(
            w,
            access::regions(w.viewer),
            entity::region::Column::Id,
            region_id,
        )
        .await?
        .map(|r| Some(r.code))
        .ok_or(ApiError::NotFound("region"))
    }
}

/// The row with `id` (its column `column`) in `scope`, the writer's scoped select.
async fn row_by_id<E: sea_orm::EntityTrait>(
    w: &Writer<'_>,
    scope: sea_orm::Select<E>,
    column: E::Column,
    id: i32,
) -> ApiResult<Option<E::Model>> {
    Ok(scope.filter(column.eq(id)).one(w.txn).await?)
}

/// The link rows of the record `parent` (the links' column `column`) in `links` (the viewer's
/// scoped select), ordered by `order`, each as `value` of it.
async fn links_of<E, T>(
    w: &Writer<'_>,
    links: sea_orm::Select<E>,
    (column, parent): (E::Column, i32),
    order: E::Column,
    value: impl Fn(E::Model) -> T,
) -> ApiResult<Vec<T>>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::QueryOrder;
    Ok(links
        .filter(column.eq(parent))
        .order_by_asc(order)
        .all(w.txn)
        .await?
        .into_iter()
        .map(value)
        .collect())
}

/// Replaces the link rows of the record `parent` (the links' column `column`) by one `link(item)`
/// per item: the counterpart of [`links_of`].
async fn replace<A, T: Copy>(
    w: &Writer<'_>,
    (column, parent): (<A::Entity as sea_orm::EntityTrait>::Column, i32),
    items: &[T],
    link: impl Fn(T) -> <A::Entity as sea_orm::EntityTrait>::Model,
) -> ApiResult<()>
where
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    let rows = items.iter().map(|&item| link(item)).collect();
    crate::service::write::replace_links::<_, A>(w.txn, (column, parent), rows).await
}

/// Collects the problems of one record, field by field. Texts are trimmed in place; a blank
/// optional text becomes none.
#[derive(Debug, Default)]
pub struct Rules {
    problems: Problems,
}

impl Rules {
    /// Records a problem with `field`.
    pub fn bad(&mut self, field: &'static str, message: impl Into<String>) {
        self.problems.push(Problem {
            field,
            message: message.into(),
        });
    }

    /// The problems found.
    pub fn done(self) -> Problems {
        self.problems
    }

    /// A required text of 1 to `max` characters.
    pub fn text(&mut self, field: &'static str, value: &mut String, max: usize) {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.bad(field, "must not be empty");
            return;
        }
        if trimmed.len() != value.len() {
            *value = trimmed.to_owned();
        }
        self.bounded(field, value, max);
    }

    /// An optional text of at most `max` characters.
    pub fn optional_text(&mut self, field: &'static str, value: &mut Option<String>, max: usize) {
        if let Some(text) = value {
            let trimmed = text.trim();
            if trimmed.is_empty() {
                *value = None;
                return;
            }
            if trimmed.len() != text.len() {
                *text = trimmed.to_owned();
            }
            self.bounded(field, text, max);
        }
    }

    fn bounded(&mut self, field: &'static str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.bad(field, format!("must be at most {max} characters"));
        } else if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.bad(field, "must not contain control characters");
        }
    }

    /// An optional count within `[min, max]`.
    pub fn count(&mut self, field: &'static str, value: Option<i64>, (min, max): (i64, i64)) {
        if let Some(v) = value
            && (v < min || v > max)
        {
            self.bad(field, format!("must be between {min} and {max}"));
        }
    }

    /// An optional e-mail address (a plausibility check, not a delivery test).
    pub fn email(&mut self, field: &'static str, value: &mut Option<String>) {
        self.optional_text(field, value, 254);
        if let Some(address) = value {
            let plausible = address.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !address.contains(' ')
            });
            if !plausible {
                self.bad(field, "must be an e-mail address");
            }
        }
    }

    /// An optional http(s) URL.
    pub fn url(&mut self, field: &'static str, value: &mut Option<String>) {
        self.optional_text(field, value, 500);
        if let Some(url) = value
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            self.bad(field, "must be an http(s) URL");
        }
    }

    /// An amount in cents within `[min, max]` euros.
    pub fn amount(&mut self, field: &'static str, cents: i64, (min, max): (i64, i64)) {
        if cents < min * 100 || cents > max * 100 {
            self.bad(field, format!("must be between EUR {min} and EUR {max}"));
        }
    }

    /// A set of disciplines: each at most once; kept in code order.
    pub fn disciplines(&mut self, field: &'static str, value: &mut Vec<DisciplineCode>) {
        self.set(field, value, "each discipline at most once");
    }

    /// A set of values: each at most once (else `repeated`); kept in order.
    pub fn set<T: Ord>(&mut self, field: &'static str, value: &mut Vec<T>, repeated: &str) {
        let given = value.len();
        value.sort();
        value.dedup();
        if value.len() != given {
            self.bad(field, repeated);
        }
    }

    /// `later` must not come before `earlier` when both are given; the problem is `later`'s.
    pub fn in_order(
        &mut self,
        field: &'static str,
        earlier: Option<NaiveDate>,
        later: Option<NaiveDate>,
    ) {
        if let (Some(a), Some(b)) = (earlier, later)
            && a > b
        {
            self.bad(field, format!("must not be before {a}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rules;

    #[test]
    fn texts_are_trimmed_bounded_and_clean() {
        let mut rules = Rules::default();
        let mut name = "  RESV  ".to_owned();
        rules.text("name", &mut name, 10);
        assert_eq!(name, "RESV");
        let mut note = Some(" ".to_owned());
        rules.optional_text("note", &mut note, 10);
        assert_eq!(note, None);
        assert!(rules.done().is_empty());
        for bad in ["   ", "abcdefghijk", "a\u{0}b"] {
            let mut rules = Rules::default();
            rules.text("name", &mut bad.to_owned(), 10);
            assert_eq!(rules.done().len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn urls_emails_dates_and_amounts() {
        let fails = |check: &dyn Fn(&mut Rules)| {
            let mut rules = Rules::default();
            check(&mut rules);
            !rules.done().is_empty()
        };
        let text = |t: &str| Some(t.to_owned());
        assert!(!fails(
            &|r| r.url("website", &mut text("https://example.org"))
        ));
        assert!(fails(
            &|r| r.url("website", &mut text("javascript:alert(1)"))
        ));
        assert!(!fails(&|r| r.email("email", &mut text("a@example.org"))));
        assert!(fails(&|r| r.email("email", &mut text("nobody"))));
        let d = |day| chrono::NaiveDate::from_ymd_opt(2025, 1, day);
        assert!(!fails(&|r| r.in_order("to", d(1), d(2))));
        assert!(fails(&|r| r.in_order("to", d(2), d(1))));
        assert!(!fails(&|r| r.amount(
            "amount",
            50_000_000,
            (500_000, 2_000_000)
        )));
        assert!(fails(&|r| r.amount(
            "amount",
            49_999_999,
            (500_000, 2_000_000)
        )));
        assert!(fails(&|r| r.amount(
            "amount",
            200_000_001,
            (500_000, 2_000_000)
        )));
        assert!(!fails(&|r| r.count("population", Some(1), (1, 500_000))));
        assert!(fails(&|r| r.count("population", Some(0), (1, 500_000))));
    }
}
