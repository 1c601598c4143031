//! Writing CSV files people open in a spreadsheet (the customer export, the audit export):
//! one home for how a cell is written, and for the guard that keeps a person's text from
//! running as a formula (CSV injection).

/// A spreadsheet runs a cell that starts with one of these as a formula.
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A person's text as a file writes it: one that a spreadsheet would run as a formula gets a
/// leading `'` (which the customer import takes off again).
pub fn inert(text: &str) -> String {
    match text.starts_with(FORMULA_START) {
        true => format!("'{text}"),
        false => text.to_string(),
    }
}

/// The text [`inert`] guarded, as it was written.
pub fn as_written(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => text,
    }
}

/// One cell: formula-guarded, and quoted (inner quotes doubled) when it holds a comma, a
/// quote, a line break or space at either end (RFC 4180); otherwise as it is.
pub fn cell(text: &str) -> String {
    let guarded = inert(text);
    let needs_quotes = guarded.contains([',', '"', '\n', '\r'])
        || guarded.starts_with(' ')
        || guarded.ends_with(' ');
    match needs_quotes {
        true => format!("\"{}\"", guarded.replace('"', "\"\"")),
        false => guarded,
    }
}

/// One line of cells already written with [`cell`], CRLF-terminated.
pub fn line(cells: &[String]) -> String {
    let mut out = cells.join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name a spreadsheet would run (`=HYPERLINK(…)`) is written inert and read back as it
    /// was; ordinary text and numbers are untouched.
    #[test]
    fn formula_like_text_is_written_inert_and_read_back_as_written() {
        for text in ["=HYPERLINK(\"http://x\")", "+1 Club", "-Sale", "@home"] {
            let out = inert(text);
            assert!(out.starts_with('\''), "{out}");
            assert_eq!(as_written(&out), text);
        }
        assert_eq!(inert("Asha Rao"), "Asha Rao");
        assert_eq!(as_written("'Tis the season"), "'Tis the season");
    }

    #[test]
    fn cells_are_quoted_only_when_a_reader_needs_it_and_formulas_stay_inert() {
        assert_eq!(cell("Asha Rao"), "Asha Rao");
        assert_eq!(cell("1200"), "1200");
        assert_eq!(cell("Rao, Asha"), "\"Rao, Asha\"");
        assert_eq!(cell(r#"{"a":1}"#), r#""{""a"":1}""#);
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=1+2"), "'=1+2");
        assert_eq!(cell("=SUM(A1,B1)"), "\"'=SUM(A1,B1)\"");
        assert_eq!(
            line(&[cell("a"), cell("b,c"), String::new()]),
            "a,\"b,c\",\r\n"
        );
        // What it writes, a CSV reader reads back (guard aside).
        let text = line(&[cell("x \"y\", z"), cell("=cmd")]);
        let mut r = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let rec = r.records().next().unwrap().unwrap();
        assert_eq!(&rec[0], "x \"y\", z");
        assert_eq!(as_written(&rec[1]), "=cmd");
    }
}
