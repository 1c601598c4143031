//! Writing CSV files people open in a spreadsheet (the customer export, the loyalty reports,
//! the audit export): one home for how a cell is written, for the guard that keeps a person's
//! text from running as a formula (CSV injection), and for how a file is offered for download
//! (its name made safe by the contract's one rule, `contract::reports::safe_file_name`).

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

/// A CSV file being written in memory: a header row, then records.
pub struct Sheet {
    w: ::csv::Writer<Vec<u8>>,
}

impl Sheet {
    pub fn new<I, S>(header: I) -> Result<Sheet, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut sheet = Sheet {
            w: ::csv::Writer::from_writer(Vec::new()),
        };
        sheet.record(header)?;
        Ok(sheet)
    }

    /// One record, each cell as given (make people's text [`inert`] first).
    pub fn record<I, S>(&mut self, cells: I) -> Result<(), String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.w.write_record(cells).map_err(|e| format!("csv: {e}"))
    }

    pub fn finish(self) -> Result<String, String> {
        let bytes = self.w.into_inner().map_err(|e| format!("csv: {e}"))?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

/// The `Content-Disposition` value offering a CSV file named `name`: an ASCII `filename`
/// made safe by the contract's rule, and the exact UTF-8 name as `filename*` (RFC 6266) with
/// path separators and control characters replaced.
pub fn attachment(name: &str) -> String {
    let exact: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | '"' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .collect();
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        contract::reports::safe_file_name(name),
        contract::reports::percent_encode(&exact)
    )
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

    #[test]
    fn a_download_name_cannot_break_out_of_its_header() {
        assert_eq!(
            attachment("Loyalty – Date/Customer Wise Summary 2027-03-01 to 2027-03-31.csv"),
            "attachment; filename=\"Loyalty - Date-Customer Wise Summary 2027-03-01 to 2027-03-31.csv\"; \
             filename*=UTF-8''Loyalty%20%E2%80%93%20Date-Customer%20Wise%20Summary%202027-03-01%20to%202027-03-31.csv"
        );
        assert_eq!(
            attachment("a\"b\r\n/c.csv"),
            "attachment; filename=\"a-b---c.csv\"; filename*=UTF-8''a-b---c.csv"
        );
    }
}
