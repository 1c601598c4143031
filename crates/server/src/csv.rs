//! The one home for writing CSV files people open in a spreadsheet (the customer export, the
//! loyalty reports): cells a spreadsheet would run as a formula are written inert, and the
//! file name offered for download is made safe.

/// A spreadsheet runs a cell that starts with one of these as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A person's text (a name, a label, a bill number) as a file writes it: one that a
/// spreadsheet would run as a formula gets a leading `'`, which the import takes off again.
pub fn inert(text: &str) -> String {
    match text.starts_with(FORMULA_START) {
        true => format!("'{text}"),
        false => text.to_string(),
    }
}

/// The text the export made inert, as it was.
pub fn as_written(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => text,
    }
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

/// A download's file name from a title: no quotes, slashes, control or other characters a
/// browser or file system could trip on (they become `-`), at most 120 characters.
pub fn file_name(title: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| match c {
            '"' | '\\' | '/' | ':' | '*' | '?' | '<' | '>' | '|' | ';' => '-',
            c if c.is_control() => '-',
            c => c,
        })
        .take(120)
        .collect();
    match name.trim() {
        "" => "report.csv".to_string(),
        n => format!("{n}.csv"),
    }
}

/// The `Content-Disposition` value offering `title` as a CSV file: an ASCII `filename`
/// (non-ASCII letters become `-`) and the exact UTF-8 name as `filename*` (RFC 6266).
pub fn attachment(title: &str) -> String {
    let name = file_name(title);
    let ascii: String = name
        .chars()
        .map(|c| if c.is_ascii() { c } else { '-' })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        contract::reports::percent_encode(&name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name a spreadsheet would run (`=HYPERLINK(…)`) is exported inert and imported back
    /// as it was; ordinary text and numbers are untouched.
    #[test]
    fn formula_like_text_is_exported_inert_and_read_back_as_written() {
        for text in ["=HYPERLINK(\"http://x\")", "+1 Club", "-Sale", "@home"] {
            let out = inert(text);
            assert!(out.starts_with('\''), "{out}");
            assert_eq!(as_written(&out), text);
        }
        assert_eq!(inert("Asha Rao"), "Asha Rao");
        assert_eq!(as_written("'Tis the season"), "'Tis the season");
    }

    #[test]
    fn a_download_name_cannot_break_out_of_its_header() {
        assert_eq!(
            attachment("Loyalty – Date/Customer Wise Summary 2027-03-01 to 2027-03-31"),
            "attachment; filename=\"Loyalty - Date-Customer Wise Summary 2027-03-01 to 2027-03-31.csv\"; \
             filename*=UTF-8''Loyalty%20%E2%80%93%20Date-Customer%20Wise%20Summary%202027-03-01%20to%202027-03-31.csv"
        );
        assert_eq!(file_name("a\"b\r\nc"), "a-b--c.csv");
        assert_eq!(file_name("  "), "report.csv");
    }
}
