//! CSV cells safe to open in a spreadsheet (OWASP "CSV Injection"), and given back exactly by an
//! import.
//!
//! A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` as a formula (a tab or carriage
//! return first can make it skip to the next character and do the same). Every CSV export
//! therefore writes such a text cell with an apostrophe before it, which spreadsheets read as
//! "this is text"; every CSV import takes that apostrophe off again. The rule is reversible and
//! unambiguous because it also marks text that already begins with apostrophes followed by such a
//! character: the export adds exactly one apostrophe to every text that, after any leading
//! apostrophes, begins with one of them, and the import removes exactly one from every cell of
//! that shape that begins with an apostrophe. Nothing else changes — `'s-Hertogenbosch` stays as
//! it is either way — and a number is data, not a formula: `-3` or `-1250.00` (a cell that is
//! nothing but a sign, digits and decimals) is written as it is.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// What marks a cell as text in a spreadsheet.
const TEXT_MARK: char = '\'';

/// Whether `text`, after any leading apostrophes, begins with a formula character.
fn formula_shaped(text: &str) -> bool {
    text.trim_start_matches(TEXT_MARK)
        .starts_with(FORMULA_STARTS)
}

/// Whether `text` is a plain number: a sign, digits and at most one decimal point between digits.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    [whole, fraction]
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// A text cell as an export writes it: with one apostrophe before it if a spreadsheet could run
/// it (see the module's documentation).
pub fn neutralised(text: &str) -> Cow<'_, str> {
    if formula_shaped(text) && !is_number(text) {
        Cow::Owned(format!("{TEXT_MARK}{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A CSV cell as an import reads it: the value [`neutralised`] was given.
pub fn restored(cell: &str) -> &str {
    match cell.strip_prefix(TEXT_MARK) {
        Some(rest) if formula_shaped(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_an_apostrophe() {
        for text in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+31 20 123 4567",
            "-fall prevention",
            "@SUM(A1:A2)",
            "\tindented",
            "\r=1+1",
            "--3",
        ] {
            assert_eq!(neutralised(text), format!("'{text}"), "{text:?}");
        }
    }

    #[test]
    fn other_text_and_numbers_are_written_as_they_are() {
        for text in [
            "'s-Hertogenbosch",
            "Zorg = samen",
            "",
            "-3",
            "+3",
            "-1250.00",
            "0.5",
        ] {
            assert_eq!(neutralised(text), text, "{text:?}");
        }
    }

    #[test]
    fn an_import_gives_back_every_value_exactly() {
        for text in [
            "=1+1",
            "'=1+1",
            "''=1+1",
            "'",
            "''",
            "'s-Hertogenbosch",
            "''s-Hertogenbosch",
            "-3",
            "'-3",
            "-",
            "@",
            "plain",
            "",
        ] {
            assert_eq!(restored(&neutralised(text)), text, "{text:?}");
        }
    }

    #[test]
    fn an_import_leaves_an_apostrophe_before_ordinary_text() {
        assert_eq!(restored("'s-Hertogenbosch"), "'s-Hertogenbosch");
        assert_eq!(restored("'"), "'");
        // Typed into a file by hand, the spreadsheet's own text mark is taken off too.
        assert_eq!(restored("'=1+1"), "=1+1");
    }
}
