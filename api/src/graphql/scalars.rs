//! Scalars: money as a decimal string in euros, and ISO-8601 calendar dates.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate};

/// An amount of money in euros, as a decimal string with exactly two decimals (`"1250000.00"`).
/// Stored as integer euro cents; never a float, and totals are computed without overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i128);

impl Money {
    /// An amount from integer euro cents.
    pub fn from_cents(cents: i64) -> Self {
        Money(cents.into())
    }

    /// Parses `"1234"`, `"1234.5"` or `"1234.56"` (optionally negative); anything else is refused.
    pub fn parse(text: &str) -> Option<Money> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let valid = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || whole.len() > 30
            || fraction.len() > 2
            || !valid(whole)
            || !valid(fraction)
        {
            return None;
        }
        if digits.contains('.') && fraction.is_empty() {
            return None;
        }
        let whole: i128 = whole.parse().ok()?;
        let cents: i128 = format!("{fraction:0<2}").parse().ok()?;
        let amount = whole.checked_mul(100)?.checked_add(cents)?;
        Some(Money(if negative { -amount } else { amount }))
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// An amount in euros as a decimal string with two decimals, e.g. `"1250000.00"`.
#[Scalar(
    name = "Money",
    specified_by_url = "https://en.wikipedia.org/wiki/Decimal"
)]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => Money::parse(text).ok_or_else(|| {
                InputValueError::custom("expected euros as a decimal string such as \"1250000.00\"")
            }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

/// A calendar date in ISO-8601 form (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// The years a date may fall in: the registry records the present and its planning horizon, and
/// a date far outside is a typing error (and beyond what the databases store alike).
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A calendar date in ISO-8601 form, e.g. `"2025-07-01"`, from 1900-01-01 to 2100-12-31.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(day) if DATE_YEARS.contains(&day.year()) => Ok(Date(day)),
                Ok(_) => Err(InputValueError::custom(format!(
                    "expected a date from {}-01-01 to {}-12-31",
                    DATE_YEARS.start(),
                    DATE_YEARS.end()
                ))),
                Err(_) => Err(InputValueError::custom(
                    "expected an ISO-8601 date such as \"2025-07-01\"",
                )),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(day: NaiveDate) -> Self {
        Date(day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_two_decimals() {
        assert_eq!(Money::from_cents(50_000_000).to_string(), "500000.00");
        assert_eq!(Money::from_cents(5).to_string(), "0.05");
        assert_eq!(Money(-1234).to_string(), "-12.34");
        assert_eq!(
            Money(i128::from(i64::MAX) * 4).to_string(),
            "368934881474191032.28"
        );
    }

    #[test]
    fn dates_are_read_from_1900_to_2100() {
        let date = |text: &str| <Date as ScalarType>::parse(Value::String(text.to_owned()));
        assert!(date("1900-01-01").is_ok());
        assert!(date("2100-12-31").is_ok());
        for bad in [
            "1899-12-31",
            "2101-01-01",
            "0001-01-01",
            "9999-12-31",
            "+10000-01-01",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_parses_decimal_strings_only() {
        assert_eq!(Money::parse("1250000.00"), Some(Money(125_000_000)));
        assert_eq!(Money::parse("12.5"), Some(Money(1250)));
        assert_eq!(Money::parse("7"), Some(Money(700)));
        assert_eq!(Money::parse("-0.01"), Some(Money(-1)));
        for bad in [
            "", ".", "1.", "1.234", "1e6", "1,00", " 1", "abc", "--1", "1.-1",
        ] {
            assert_eq!(Money::parse(bad), None, "{bad:?}");
        }
    }
}
