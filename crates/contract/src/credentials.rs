//! What a staff code, a PIN and a store override code may be: the one home for these rules,
//! which the back office checks a form with before sending and the backend (its admin command
//! and API) enforces (S10).

/// A staff code as typed at the till (which compares it exactly): 1 to 16 letters or digits.
pub fn staff_code(value: &str) -> Result<String, String> {
    let code = value.trim();
    match (1..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        true => Ok(code.to_string()),
        false => Err(format!(
            "\u{201c}{value}\u{201d} is not a staff code: 1 to 16 letters or digits, e.g. C002"
        )),
    }
}

/// One digit repeated, or a run up or down (1234, 9876): the first numbers a guesser tries.
fn guessable(digits: &[u8]) -> bool {
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    [0, 1, -1].iter().any(|d| steps.iter().all(|s| s == d))
}

/// A PIN: 4 to 12 digits, not one digit repeated nor a run like 1234 or 9876.
pub fn check_pin(pin: &str) -> Result<(), &'static str> {
    if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a PIN is 4 to 12 digits");
    }
    if guessable(pin.as_bytes()) {
        return Err(
            "that PIN is too easy to guess (one digit repeated, or a run like 1234): choose another",
        );
    }
    Ok(())
}

/// A store override code: 8 to 12 digits, not one digit repeated nor a run.
pub fn check_override_code(code: &str) -> Result<(), &'static str> {
    if !(8..=12).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an override code is 8 to 12 digits");
    }
    if guessable(code.as_bytes()) {
        return Err(
            "that override code is too easy to guess (one digit repeated, or a run): choose another",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_pins_and_codes_are_refused_with_the_reason() {
        for pin in [
            "1111",
            "1234",
            "9876",
            "0123456789",
            "123",
            "12a4",
            "1234567890123",
        ] {
            assert!(check_pin(pin).is_err(), "{pin}");
        }
        for pin in ["4821", "1357", "902145"] {
            assert_eq!(check_pin(pin), Ok(()), "{pin}");
        }
        assert!(check_override_code("4821").is_err(), "too short");
        assert!(check_override_code("12345678")
            .unwrap_err()
            .contains("guess"));
        assert_eq!(check_override_code("48213579"), Ok(()));
    }

    #[test]
    fn staff_codes_are_letters_and_digits() {
        assert_eq!(staff_code(" C002 "), Ok("C002".into()));
        for bad in ["", "C 2", "C-2", "abcdefghijklmnopq"] {
            assert!(staff_code(bad).is_err(), "{bad}");
        }
    }
}
