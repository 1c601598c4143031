//! A printed loyalty voucher's code (seed 004): how it is written and how what a person typed
//! or scanned is read. The one home for the code's shape: the backend issues and finds
//! vouchers by it.

/// The letters a voucher code is written in (no look-alikes: no I, O, 0 or 1).
pub const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A code as printed, `RGV-XXXX-XXXX-XXXX`, from what was typed or scanned: any case, with or
/// without the `RGV` and the dashes or spaces.
pub fn canonical(typed: &str) -> Option<String> {
    let mut s: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .flat_map(char::to_uppercase)
        .collect();
    if s.len() == 15 && s.starts_with("RGV") {
        s.drain(..3);
    }
    (s.len() == 12 && s.bytes().all(|b| ALPHABET.contains(&b))).then(|| {
        let groups: Vec<&str> = vec![&s[0..4], &s[4..8], &s[8..12]];
        format!("RGV-{}", groups.join("-"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_however_it_was_typed_or_scanned() {
        for typed in [
            "RGV-ABCD-EFGH-JK23",
            "rgv abcd efgh jk23",
            "ABCDEFGHJK23",
            " abcd-efgh-jk23 ",
        ] {
            assert_eq!(
                canonical(typed).as_deref(),
                Some("RGV-ABCD-EFGH-JK23"),
                "{typed}"
            );
        }
        for bad in ["", "RGV-ABCD-EFGH", "RGV-ABCD-EFGH-JK2O", "ABCDEFGHJK231"] {
            assert_eq!(canonical(bad), None, "{bad}");
        }
    }
}
