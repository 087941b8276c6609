//! Reading one row of an import file: typed cells, each problem named by row and column.
//!
//! A column absent from the file leaves the stored value as it is; a present but empty cell
//! clears it (or, for a new row, takes the default).

use super::table::{Problem, Table};
use chrono::{DateTime, NaiveDate, Utc};
use entity::*;
use std::cell::RefCell;

/// The columns of a kind of file: required ones, optional ones, and ones the export adds for
/// readers (derived or joined values), which an import accepts and ignores.
pub struct Columns {
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    pub ignored: &'static [&'static str],
}

impl Columns {
    /// The problems of a header: missing and unknown columns.
    pub fn check(&self, header: &[String]) -> Vec<Problem> {
        let mut problems = Vec::new();
        for required in self.required {
            if !header.iter().any(|h| h == required) {
                problems.push(Problem {
                    row: 0,
                    column: Some((*required).to_owned()),
                    message: "the column is missing".to_owned(),
                });
            }
        }
        let known = |c: &str| {
            self.required.contains(&c) || self.optional.contains(&c) || self.ignored.contains(&c)
        };
        for column in header.iter().filter(|c| !known(c)) {
            problems.push(Problem {
                row: 0,
                column: Some(column.clone()),
                message: format!(
                    "unknown column; the columns are {}, {}",
                    self.required.join(", "),
                    self.optional.join(", ")
                ),
            });
        }
        problems
    }
}

/// One data row (`n` counts from 1 after the header) with the problems found in it.
pub struct Row<'a> {
    pub n: usize,
    table: &'a Table,
    values: &'a [String],
    problems: RefCell<Vec<Problem>>,
}

impl<'a> Row<'a> {
    pub fn new(table: &'a Table, n: usize) -> Self {
        Row {
            n: n + 1,
            table,
            values: &table.rows[n],
            problems: RefCell::new(Vec::new()),
        }
    }

    /// Whether the file has `column` at all.
    pub fn has(&self, column: &str) -> bool {
        self.table.header.iter().any(|h| h == column)
    }

    /// The trimmed cell of `column` ("" when the file has no such column).
    pub fn cell(&self, column: &str) -> &str {
        self.table
            .header
            .iter()
            .position(|h| h == column)
            .map_or("", |i| self.values[i].as_str())
    }

    /// Records a problem with `column`.
    pub fn bad(&self, column: &str, message: impl Into<String>) {
        self.problems.borrow_mut().push(Problem {
            row: self.n,
            column: Some(column.to_owned()),
            message: message.into(),
        });
    }

    /// The problems found so far; a row with any is not applied.
    pub fn into_problems(self) -> Vec<Problem> {
        self.problems.into_inner()
    }

    /// Sets `target` from an optional cell read by `read`, when the file has the column.
    pub fn set<T>(
        &self,
        column: &str,
        target: &mut T,
        read: impl FnOnce(&Self, &str) -> Option<T>,
    ) {
        if self.has(column)
            && let Some(value) = read(self, column)
        {
            *target = value;
        }
    }

    /// A required text of at most `max` characters.
    pub fn text(&self, column: &str, max: usize) -> String {
        let value = self.cell(column);
        if value.is_empty() {
            self.bad(column, "is empty");
        } else {
            self.check_text(column, value, max);
        }
        value.to_owned()
    }

    fn check_text(&self, column: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.bad(column, format!("is longer than {max} characters"));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.bad(column, "contains control characters");
        }
    }

    /// An optional text; `Some(None)` for an empty cell.
    pub fn opt_text(&self, column: &str, max: usize) -> Option<Option<String>> {
        let value = self.cell(column);
        if value.is_empty() {
            return Some(None);
        }
        self.check_text(column, value, max);
        Some(Some(value.to_owned()))
    }

    /// A date as `2025-07-01` or `01-07-2025`; `None` (with a problem) when it is none.
    fn parse_date(&self, column: &str, text: &str) -> Option<NaiveDate> {
        let parsed = super::table::date(text);
        if parsed.is_none() {
            self.bad(
                column,
                format!("`{text}` is not a date (YYYY-MM-DD or DD-MM-YYYY)"),
            );
        }
        parsed
    }

    pub fn date(&self, column: &str) -> NaiveDate {
        let text = self.cell(column);
        if text.is_empty() {
            self.bad(column, "is empty");
            return NaiveDate::default();
        }
        self.parse_date(column, text).unwrap_or_default()
    }

    pub fn opt_date(&self, column: &str) -> Option<Option<NaiveDate>> {
        let text = self.cell(column);
        if text.is_empty() {
            return Some(None);
        }
        Some(Some(self.parse_date(column, text)?))
    }

    /// An optional moment in RFC 3339 (`2026-03-05T14:00:00Z`).
    pub fn opt_moment(&self, column: &str) -> Option<Option<DateTime<Utc>>> {
        let text = self.cell(column);
        if text.is_empty() {
            return Some(None);
        }
        match DateTime::parse_from_rfc3339(text) {
            Ok(moment) => Some(Some(moment.with_timezone(&Utc))),
            Err(_) => {
                self.bad(
                    column,
                    format!("`{text}` is not a moment (RFC 3339, e.g. 2026-03-05T14:00:00Z)"),
                );
                None
            }
        }
    }

    /// A whole number from `min` to `max`; `Some(None)` for an empty cell.
    pub fn int(&self, column: &str, min: i64, max: i64) -> Option<Option<i64>> {
        let text = self.cell(column);
        if text.is_empty() {
            return Some(None);
        }
        match text.replace(['.', '_', ' '], "").parse::<i64>() {
            Ok(v) if (min..=max).contains(&v) => Some(Some(v)),
            Ok(_) => {
                self.bad(column, format!("{text} is outside {min}–{max}"));
                None
            }
            Err(_) => {
                self.bad(column, format!("`{text}` is not a whole number"));
                None
            }
        }
    }

    /// Euros (`1250000`, `1.250.000,50`) from `min` to `max`, in cents; `Some(None)` when empty.
    pub fn euros(&self, column: &str, (min, max): (i64, i64)) -> Option<Option<i64>> {
        let text = self.cell(column);
        if text.is_empty() {
            return Some(None);
        }
        match super::table::euros(text) {
            Some(cents) if (min * 100..=max * 100).contains(&cents) => Some(Some(cents)),
            Some(_) => {
                self.bad(column, format!("{text} is outside EUR {min}–{max}"));
                None
            }
            None => {
                self.bad(column, format!("`{text}` is not an amount in euros"));
                None
            }
        }
    }

    /// Euros (`1250000`, `1.250.000,50`) in cents, whatever the amount (the kind's rules bound
    /// it); `Some(None)` when empty.
    pub fn any_euros(&self, column: &str) -> Option<Option<i64>> {
        self.euros(column, (0, i64::MAX / 10_000))
    }

    /// A stored enum value (case-insensitive); `None` (with a problem) otherwise.
    pub fn one_of<T: Copy>(
        &self,
        column: &str,
        all: &[T],
        as_str: impl Fn(T) -> &'static str,
        values: &[&str],
    ) -> Option<T> {
        let text = self.cell(column);
        if text.is_empty() {
            return None;
        }
        let found = all
            .iter()
            .copied()
            .find(|v| as_str(*v).eq_ignore_ascii_case(text));
        if found.is_none() {
            self.bad(
                column,
                format!("`{text}` is not one of {}", values.join(", ")),
            );
        }
        found
    }

    /// A required stored enum value.
    pub fn required_one_of<T: Copy>(
        &self,
        column: &str,
        all: &[T],
        as_str: impl Fn(T) -> &'static str,
        values: &[&str],
    ) -> Option<T> {
        if self.cell(column).is_empty() {
            self.bad(column, "is empty");
            return None;
        }
        self.one_of(column, all, as_str, values)
    }

    /// A `;`-separated list of cells.
    pub fn list(&self, column: &str) -> Vec<String> {
        self.cell(column)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The cell of a column the kind's rules check (trimmed, as read; the rules say what is
    /// wrong with it).
    pub fn required(&self, column: &str) -> String {
        self.cell(column).to_owned()
    }

    /// Stored enum values (`;`-separated) as written, repeats included: the kind's rules decide
    /// whether a repeat is allowed.
    pub fn enum_list<T: Copy>(
        &self,
        column: &str,
        all: &[T],
        as_str: impl Fn(T) -> &'static str,
        values: &[&str],
    ) -> Vec<T> {
        self.list(column)
            .iter()
            .filter_map(|item| {
                let found = all
                    .iter()
                    .copied()
                    .find(|v| as_str(*v).eq_ignore_ascii_case(item));
                if found.is_none() {
                    self.bad(
                        column,
                        format!("`{item}` is not one of {}", values.join(", ")),
                    );
                }
                found
            })
            .collect()
    }

    /// Disciplines (`;`-separated codes) as written, repeats included.
    pub fn discipline_list(&self, column: &str) -> Vec<DisciplineCode> {
        self.enum_list(
            column,
            DisciplineCode::ALL,
            DisciplineCode::as_str,
            DisciplineCode::VALUES,
        )
    }

    /// An optional cell the kind's rules check: none when empty.
    pub fn optional(&self, column: &str) -> Option<String> {
        Some(self.cell(column).to_owned()).filter(|v| !v.is_empty())
    }

    /// The source of the row, `default` when the cell is empty or absent.
    pub fn source(&self, default: SourceKind) -> SourceKind {
        self.one_of(
            "source",
            SourceKind::ALL,
            SourceKind::as_str,
            SourceKind::VALUES,
        )
        .unwrap_or(default)
    }

    /// The source reference: the cell, or else the file's name (none when that is empty, as in
    /// a restore).
    pub fn source_reference(&self, file_name: &str) -> Option<String> {
        self.opt_text("source_reference", 1000)
            .flatten()
            .or_else(|| Some(file_name.to_owned()).filter(|name| !name.is_empty()))
    }
}
