//! Reading an import file: CSV or JSON as a table of text, and what an import reports.

use chrono::NaiveDate;

/// A problem with a file: the data row (1 for the first row after the header; 0 for the file
/// itself), the column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.column, self.row) {
            (Some(column), 0) => write!(f, "column {column}: {}", self.message),
            (Some(column), row) => write!(f, "row {row}, column {column}: {}", self.message),
            (None, 0) => write!(f, "file: {}", self.message),
            (None, row) => write!(f, "row {row}: {}", self.message),
        }
    }
}

fn problem(row: usize, column: Option<&str>, message: impl Into<String>) -> Problem {
    Problem {
        row,
        column: column.map(str::to_owned),
        message: message.into(),
    }
}

/// What an import did (or, in a dry run or with problems, would have done).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub problems: Vec<Problem>,
    /// The stored values an empty cell clears, by row and field: what a dry run warns of.
    pub cleared: Vec<Cleared>,
    /// Whether the changes were written (no problems, not a dry run).
    pub applied: bool,
}

/// A stored value an import clears: the row and the field (as the record names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleared {
    pub row: usize,
    pub field: String,
}

impl std::fmt::Display for Cleared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {}, {}: cleared (an empty cell)",
            self.row, self.field
        )
    }
}

/// A file as a header and rows of text.
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads CSV or JSON; the problem says why a file cannot be read at all.
pub fn read_table(bytes: &[u8]) -> Result<Table, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        problem(
            0,
            None,
            format!(
                "the file is not UTF-8 (invalid byte at offset {}); save it as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('[') {
        return read_json(text);
    }
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| problem(0, None, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| problem(i + 1, None, format!("cannot read: {e}")))?;
        if record.len() != header.len() {
            return Err(problem(
                i + 1,
                None,
                format!(
                    "has {} fields, the header {}; is the delimiter `{}` right?",
                    record.len(),
                    header.len(),
                    delimiter as char
                ),
            ));
        }
        // A cell an export marked as text for spreadsheets has its value back.
        rows.push(
            record
                .iter()
                .map(|f| crate::service::csv_cells::restored(f.trim()).to_owned())
                .collect(),
        );
    }
    Ok(Table { header, rows })
}

fn read_json(text: &str) -> Result<Table, Problem> {
    let items: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(text)
        .map_err(|e| problem(0, None, format!("not a JSON array of objects: {e}")))?;
    let mut header: Vec<String> = Vec::new();
    for item in &items {
        for key in item.keys() {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
    }
    let rows = items
        .iter()
        .map(|item| {
            header
                .iter()
                .map(|key| match item.get(key) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.trim().to_owned(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(Table { header, rows })
}

/// Euros as written in a spreadsheet (`1250000`, `1250000.50`, `1.250.000,50`) in cents.
pub(crate) fn euros(text: &str) -> Option<i64> {
    let text = text.trim().trim_start_matches('€').trim();
    let normalised = if text.contains(',') {
        text.replace('.', "").replace(',', ".")
    } else {
        text.to_owned()
    };
    let (whole, fraction) = normalised.split_once('.').unwrap_or((&normalised, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

/// A date as `2025-07-01` or, as Dutch spreadsheets write it, `01-07-2025`.
pub(crate) fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_as_spreadsheets_write_them() {
        assert_eq!(euros("1250000"), Some(125_000_000));
        assert_eq!(euros("1250000.5"), Some(125_000_050));
        assert_eq!(euros("1.250.000,50"), Some(125_000_050));
        assert_eq!(euros("€ 600000"), Some(60_000_000));
        assert_eq!(euros("12x"), None);
        assert_eq!(euros("1.234"), None);
        assert_eq!(date("2025-07-01"), NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(date("01-07-2025"), NaiveDate::from_ymd_opt(2025, 7, 1));
        assert_eq!(date("1 July 2025"), None);
    }

    #[test]
    fn a_csv_cell_marked_as_text_for_spreadsheets_is_read_back_a_json_value_as_it_is() {
        let csv = read_table(b"notes,name\n'=1+1,'s-Hertogenbosch\n").expect("readable");
        assert_eq!(csv.rows, vec![vec!["=1+1", "'s-Hertogenbosch"]]);
        let json = read_table(br#"[{"notes": "'=1+1"}]"#).expect("readable");
        assert_eq!(json.rows, vec![vec!["'=1+1"]]);
    }

    #[test]
    fn files_are_read_with_either_delimiter_a_bom_or_as_json() {
        let semicolons = "\u{feff}a;b\n1;2\n".as_bytes();
        let table = read_table(semicolons).expect("readable");
        assert_eq!(table.header, vec!["a", "b"]);
        assert_eq!(table.rows, vec![vec!["1", "2"]]);
        let json = br#"[{"a": "1", "b": 2}, {"a": null}]"#;
        let table = read_table(json).expect("readable");
        assert_eq!(table.rows, vec![vec!["1", "2"], vec!["", ""]]);
        let latin1 = b"a,b\n\xe9,2\n";
        assert!(
            read_table(latin1)
                .expect_err("not UTF-8")
                .message
                .contains("UTF-8")
        );
        let ragged = b"a,b\n1,2,3\n";
        assert_eq!(read_table(ragged).expect_err("ragged").row, 1);
    }
}
