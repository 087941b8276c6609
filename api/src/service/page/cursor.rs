//! The cursors of connections. To a client a cursor is opaque text; inside it is a small versioned
//! JSON payload (base64url) naming the list it belongs to and the position of its row in that
//! list's order: the row's sort key and its id.

use crate::error::{ApiError, ApiResult};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnType, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The payload's version. Cursors of other versions (the offsets of version 1) are refused.
const VERSION: u8 = 2;

/// Which list a cursor belongs to: a cursor pages only the list it was made for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListId {
    /// The table listed (`region`, `resv`, ...); each connection lists a table of its own.
    list: String,
    /// The sort column and direction, e.g. `name desc`.
    order: String,
    /// A hash of the filtered select (its SQL, values included, before ordering): the filter
    /// arguments and the viewer's scope in effect.
    filter: String,
}

impl ListId {
    /// The list of `table` in `order` with the filtered select whose SQL is `filtered`.
    pub fn new(table: &str, order: String, filtered: &str) -> Self {
        let digest = Sha256::digest(filtered.as_bytes());
        ListId {
            list: table.to_owned(),
            order,
            filter: B64.encode(&digest[..12]),
        }
    }
}

/// A sort-key value as a cursor carries it: the column types lists are ordered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Key {
    Null,
    Int(i32),
    BigInt(i64),
    Text(String),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl Key {
    /// The key of a column's value; `None` for a type no list is ordered by.
    pub fn of(value: Value) -> Option<Key> {
        Some(match value {
            Value::Int(Some(v)) => Key::Int(v),
            Value::BigInt(Some(v)) => Key::BigInt(v),
            Value::String(Some(v)) => Key::Text(*v),
            Value::ChronoDate(Some(v)) => Key::Date(*v),
            Value::ChronoDateTimeUtc(Some(v)) => Key::Time(*v),
            Value::Int(None)
            | Value::BigInt(None)
            | Value::String(None)
            | Value::ChronoDate(None)
            | Value::ChronoDateTimeUtc(None) => Key::Null,
            _ => return None,
        })
    }

    /// The value to compare a column with; `None` for [`Key::Null`], which is no value.
    pub fn value(&self) -> Option<Value> {
        match self {
            Key::Null => None,
            Key::Int(v) => Some((*v).into()),
            Key::BigInt(v) => Some((*v).into()),
            Key::Text(v) => Some(v.clone().into()),
            Key::Date(v) => Some((*v).into()),
            Key::Time(v) => Some((*v).into()),
        }
    }

    /// Whether this key can be compared with a column of `column_type` (so that a forged cursor
    /// is refused rather than failing in the database).
    pub fn fits(&self, column_type: &ColumnType) -> bool {
        use ColumnType as T;
        matches!(
            (self, column_type),
            (Key::Null, _)
                | (Key::Int(_), T::Integer)
                | (Key::BigInt(_), T::BigInteger)
                | (Key::Text(_), T::String(_) | T::Text | T::Char(_))
                | (Key::Date(_), T::Date)
                | (Key::Time(_), T::TimestampWithTimeZone)
        )
    }
}

/// Where a row sits in its list's order: its sort key, then its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub key: Key,
    pub id: Key,
}

#[derive(Serialize, Deserialize)]
struct Payload<L> {
    v: u8,
    list: L,
    at: Position,
}

/// The cursor of the row at `at` in the list `list`.
pub fn encode(list: &ListId, at: Position) -> String {
    let payload = Payload {
        v: VERSION,
        list,
        at,
    };
    // A payload of strings, numbers and dates always serialises.
    B64.encode(serde_json::to_vec(&payload).unwrap_or_default())
}

/// The position in `expected` of the cursor `text`, given as argument `field`. A cursor of
/// another list, order or filter is refused, saying so; anything else not made by [`encode`]
/// is refused as no cursor at all.
pub fn decode(field: &str, text: &str, expected: &ListId) -> ApiResult<Position> {
    let payload: Payload<ListId> = B64
        .decode(text)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|payload: &Payload<ListId>| payload.v == VERSION)
        .ok_or_else(|| ApiError::invalid(field, "not a cursor of this API"))?;
    let found = &payload.list;
    let refusal = if found.list != expected.list {
        "this cursor belongs to another list"
    } else if found.order != expected.order {
        "this cursor belongs to another order of this list"
    } else if found.filter != expected.filter {
        "this cursor belongs to another filter of this list"
    } else {
        return Ok(payload.at);
    };
    Err(ApiError::invalid(field, refusal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(order: &str, filter: &str) -> ListId {
        ListId::new("region", order.to_owned(), filter)
    }

    fn at(code: &str, id: i32) -> Position {
        Position {
            key: Key::Text(code.to_owned()),
            id: Key::Int(id),
        }
    }

    fn reason(result: ApiResult<Position>) -> String {
        match result {
            Err(ApiError::Invalid { field, reason }) => format!("{field}: {reason}"),
            other => panic!("not refused as invalid: {other:?}"),
        }
    }

    #[test]
    fn cursors_round_trip_every_key_type() {
        let list = regions("code asc", "SELECT 1");
        let keys = [
            Key::Null,
            Key::Int(-3),
            Key::BigInt(17_000_000_000),
            Key::Text("’s-Hertogenbosch \"R10\"".to_owned()),
            Key::Date(NaiveDate::from_ymd_opt(2025, 7, 1).expect("a date")),
            Key::Time(DateTime::from_timestamp(1_751_328_000, 123_456_789).expect("a time")),
        ];
        for key in keys {
            let position = Position {
                key,
                id: Key::Int(41),
            };
            let cursor = encode(&list, position.clone());
            assert!(
                cursor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{cursor} is not base64url"
            );
            assert_eq!(decode("after", &cursor, &list).ok(), Some(position));
        }
    }

    #[test]
    fn cursors_of_another_list_order_or_filter_are_refused_saying_so() {
        let list = regions("code asc", "SELECT region WHERE retired_on IS NULL");
        let cursor = encode(&list, at("R10", 10));
        let resvs = ListId::new("resv", "code asc".to_owned(), "SELECT region ...");
        assert_eq!(
            reason(decode("after", &encode(&resvs, at("R10", 10)), &list)),
            "after: this cursor belongs to another list"
        );
        assert_eq!(
            reason(decode(
                "before",
                &cursor,
                &regions("code desc", "SELECT region WHERE retired_on IS NULL")
            )),
            "before: this cursor belongs to another order of this list"
        );
        assert_eq!(
            reason(decode(
                "after",
                &cursor,
                &regions("code asc", "SELECT region")
            )),
            "after: this cursor belongs to another filter of this list"
        );
    }

    #[test]
    fn text_not_made_here_is_no_cursor() {
        let list = regions("code asc", "SELECT 1");
        let offset_cursor = B64.encode("cursor:v1:41");
        let other_version = B64.encode(
            serde_json::to_vec(&Payload {
                v: 3,
                list: &list,
                at: at("R10", 10),
            })
            .expect("json"),
        );
        for text in [
            "",
            "%%%",
            "bm9wZQ",
            offset_cursor.as_str(),
            other_version.as_str(),
        ] {
            assert_eq!(
                reason(decode("after", text, &list)),
                "after: not a cursor of this API",
                "{text}"
            );
        }
    }

    #[test]
    fn keys_fit_only_columns_of_their_type() {
        assert!(Key::Text("R10".to_owned()).fits(&ColumnType::String(Default::default())));
        assert!(Key::Null.fits(&ColumnType::BigInteger));
        assert!(!Key::Text("R10".to_owned()).fits(&ColumnType::Integer));
        assert!(!Key::BigInt(1).fits(&ColumnType::Integer));
        assert!(!Key::Date(NaiveDate::MIN).fits(&ColumnType::TimestampWithTimeZone));
    }
}
