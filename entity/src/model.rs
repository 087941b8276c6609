//! The shapes of our entities, declared once: every table is a `Model` without sea-orm relations
//! (the API joins through `access.rs`); the reference lists, the versioned records and the link
//! tables each add the same columns to their own.
//!
//! The macros are expanded in an entity module that imports `sea_orm::entity::prelude::*` (and
//! `crate::enums::*` where a column is one of ours), as every module here does: sea-orm reads a
//! column's SQL type and nullability from its type's name (`Option<_>` is nullable). The columns
//! are handed on token by token (`tt`), so sea-orm sees them exactly as written.

/// Declares the entity of table `$table`: its `Model` with the columns given (serialisable, for
/// the audit trail's JSON), no relations and the default `ActiveModelBehavior`.
macro_rules! model {
    ($table:tt { $($columns:tt)* }) => {
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
        #[sea_orm(table_name = $table)]
        pub struct Model {
            $($columns)*
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

/// Declares the entity of a row that says where it came from, with [`model!`]: `id`, its own
/// columns, its source, then the columns given in `then { .. }` if any. A row of a reference list
/// (a care-office or IZA region) is just that: the seed and the import keep it, unversioned.
macro_rules! reference_model {
    ($table:tt { $($columns:tt)* } $(then { $($then:tt)* })?) => {
        model!($table {
            #[sea_orm(primary_key)]
            pub id: i32,
            $($columns)*
            pub source: SourceKind,
            pub source_reference: Option<String>,
            $($($then)*)?
        });
    };
}

/// Declares a versioned record's entity with [`reference_model!`]: `id`, the record's own
/// columns, its source and which import last wrote it, the columns given in `after_import { .. }`
/// if any, then the version and when the row was created and last changed. The columns keep this
/// order, which is the order of the row's JSON in the audit trail.
macro_rules! record_model {
    ($table:tt { $($columns:tt)* } $(after_import { $($after_import:tt)* })?) => {
        reference_model!($table { $($columns)* } then {
            /// When an import last wrote the row (none for rows entered otherwise).
            pub imported_at: Option<DateTimeUtc>,
            /// Who ran that import (the token's subject).
            pub imported_by: Option<String>,
            $($($after_import)*)?
            pub version: i32,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        });
    };
}

/// Declares a link table's entity with [`model!`]: its key is the pair of columns named in
/// parentheses (none generated), followed by the other columns given in braces, if any.
macro_rules! link_model {
    ($table:tt ($($key:ident: $key_type:ident),+) $({ $($columns:tt)* })?) => {
        model!($table {
            $(
                #[sea_orm(primary_key, auto_increment = false)]
                pub $key: $key_type,
            )+
            $($($columns)*)?
        });
    };
}

/// A versioned record's row as first stored at `$at`: `$model { .. }` with the fields given (its
/// id, own columns and source), not imported, version 1, created and last changed at `$at`.
///
/// `new_record!(now, seat::Model { id: 0, resv_id, .., source, source_reference })` is
/// `seat::Model { id: 0, resv_id, .., source, source_reference, imported_at: None,
/// imported_by: None, version: 1, created_at: now, updated_at: now }`.
#[macro_export]
macro_rules! new_record {
    ($at:expr, $model:path { $($field:ident $(: $value:expr)?),* $(,)? }) => {{
        let at = $at;
        $model {
            $($field $(: $value)?,)*
            imported_at: None,
            imported_by: None,
            version: 1,
            created_at: at,
            updated_at: at,
        }
    }};
}

#[cfg(test)]
mod tests {
    use crate::{material_theme, region, seat};
    use sea_orm::{ColumnTrait, PrimaryKeyTrait};

    #[test]
    fn record_columns_are_nullable_as_written() {
        let nullable = |c: seat::Column| c.def().is_null();
        assert!(!nullable(seat::Column::Organisation));
        assert!(nullable(seat::Column::DelegateName));
        assert!(!nullable(seat::Column::Source));
        assert!(nullable(seat::Column::SourceReference));
        assert!(nullable(seat::Column::ImportedAt));
        assert!(nullable(seat::Column::ImportedBy));
        assert!(!nullable(seat::Column::Version));
        assert!(!nullable(seat::Column::UpdatedAt));
        assert!(region::Column::RetiredOn.def().is_null());
        assert!(region::Column::Code.def().is_unique());
    }

    #[test]
    fn records_generate_their_ids_and_links_do_not() {
        assert!(<seat::PrimaryKey as PrimaryKeyTrait>::auto_increment());
        assert!(!<material_theme::PrimaryKey as PrimaryKeyTrait>::auto_increment());
    }
}
