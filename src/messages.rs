//! What the cashier reads when something goes wrong: one message per error, with the next step.

use crate::backend::BackendError;
use contract::{Channel, DeliveryFailure, DeliveryFailureReason, ErrorCode, Problem};

/// A sentence for each contract error code. Exhaustive on purpose: a new code does not
/// compile until it has a message a cashier understands.
pub fn for_code(code: ErrorCode) -> &'static str {
    use ErrorCode::*;
    match code {
        InvalidRequest => "The app sent something the server did not understand. Reload the page and try again.",
        InvalidOtpFormat => "That is not a valid code: type the digits exactly as the customer reads them.",
        InvalidQuantity => "That is not a valid quantity: use a whole number.",
        InvalidAmount => "That is not a valid amount.",
        InvalidMobile => "That is not a valid mobile number: check the digits.",
        InvalidBill => "The bill number or total is not valid: check them.",
        BelowMinimum => "That is below the minimum that can be redeemed.",
        InsufficientBalance => "The customer does not have that much to redeem.",
        ExceedsBill => "That is more than the bill total.",
        ExceedsBillCap => "That is more than this bill may take from loyalty.",
        BillMismatch => "This bill number was already used with another total. Check the bill number and total.",
        NothingEarned => "This bill earns no points.",
        NothingAvailable => "There is nothing left to redeem on this.",
        CurrencyMismatch => "The bill is in a different currency from the loyalty program.",
        ChannelUnavailable => "The customer cannot be reached that way: choose another channel.",
        OtpInvalid => "Wrong code. Ask the customer to read it again.",
        OtpExpired => "The code has expired. Send a new code.",
        OtpLocked => "Too many wrong codes: this redemption is locked. Nothing was redeemed; start again.",
        OtpNotSent => "No code has been sent yet: send one first.",
        OtpRequired => "The customer's code is needed before redeeming.",
        IntentExpired => "This redemption took too long and has expired. Nothing was redeemed; start again.",
        IntentClosed => "This redemption is already finished.",
        RateLimited => "Too many codes were sent. Wait before sending another.",
        ResendCooldown => "Wait a moment before sending the code again.",
        MessageBudgetExhausted => "The store cannot send more codes today. Ask a manager.",
        CodesBlocked => "The customer replied to a code that they did not ask for it, so no code can be sent to them for now. Ask a manager.",
        DeliveryFailed => "The code could not be sent. Try again or choose another channel.",
        IdempotencyConflict => "This confirmation clashed with a different one. Check the receipt list before trying again.",
        IdempotencyInFlight => "The server is still finishing this redemption. Checking again…",
        IdempotencyKeyMissing => "The app sent an incomplete confirmation. Try again.",
        OverrideDisabled => "Manager override is turned off for this store.",
        OverrideInvalid => "Wrong manager code, PIN or override code.",
        OverrideCapReached => "Today's manager overrides are used up.",
        ApprovalPending => "A manager has already been asked to approve this redemption: wait for their answer.",
        ApprovalClosed => "This request was already answered.",
        ApprovalOwnRequest => "You asked for this approval yourself: another manager must approve it.",
        ReasonRequired => "Give a reason for the override.",
        NotCommitted => "Only a completed redemption can be reversed.",
        AlreadyReversed => "This redemption was already reversed.",
        PolicyInvalid => "Some policy settings are not valid: see the marked fields.",
        Unauthenticated => "This terminal is not recognised: check the terminal token.",
        SignInFailed => "Wrong staff code or PIN.",
        SessionExpired => "Your session has ended: sign in again.",
        Forbidden => "Only a manager can do that.",
        CustomerNotFound => "No customer found: check the number, card or name.",
        VoucherNotFound => "No voucher has this code. Check it letter by letter against the printed voucher.",
        VoucherUsed => "This voucher was already redeemed: it cannot be used again. Do not accept it.",
        VoucherExpired => "This voucher has expired and cannot be used.",
        NotFound => "That was not found.",
        PayloadTooLarge => "That is too long.",
        Internal => "Something went wrong on the server. Try again; if it keeps happening, call support.",
    }
}

/// A wrong code, as the customer at a kiosk reads it (they typed it themselves).
pub fn wrong_code_for_customer(attempts_left: Option<u8>) -> String {
    match attempts_left {
        Some(0) => "That code is not right, and no tries are left.".to_string(),
        Some(1) => {
            "That code is not right: 1 try left. Check the message we sent and type it again."
                .to_string()
        }
        Some(n) => format!(
            "That code is not right: {n} tries left. Check the message we sent and type it again."
        ),
        None => "That code is not right. Check the message we sent and type it again.".to_string(),
    }
}

/// The message for a problem, with the facts it carries (tries left, wait, allowed range).
pub fn for_problem(p: &Problem) -> String {
    let base = for_code(p.code);
    match p.code {
        ErrorCode::OtpInvalid => match p.attempts_left {
            Some(0) => "Wrong code, and no tries are left.".to_string(),
            Some(1) => "Wrong code: 1 try left. Ask the customer to read it again.".to_string(),
            Some(n) => format!("Wrong code: {n} tries left. Ask the customer to read it again."),
            None => base.to_string(),
        },
        ErrorCode::RateLimited | ErrorCode::ResendCooldown | ErrorCode::OverrideCapReached => {
            match p.retry_after_secs {
                Some(s) => format!("{base} Try again in {}.", duration(u64::from(s))),
                None => base.to_string(),
            }
        }
        ErrorCode::BelowMinimum
        | ErrorCode::InsufficientBalance
        | ErrorCode::ExceedsBill
        | ErrorCode::ExceedsBillCap
        | ErrorCode::InvalidQuantity => match p.allowed {
            Some(r) if r.min == r.max => format!("{base} Only {} can be redeemed.", r.min),
            Some(r) => format!("{base} Enter {} to {}.", r.min, r.max),
            None => base.to_string(),
        },
        ErrorCode::DeliveryFailed => match p.delivery_failure {
            Some(f) => not_sent(f),
            None => base.to_string(),
        },
        _ => base.to_string(),
    }
}

/// "Not sent", why, and what the cashier can do. Only a timeout leaves a message that may
/// still arrive; its code is void, so the cashier is told not to use it.
fn not_sent(f: DeliveryFailure) -> String {
    use DeliveryFailureReason::*;
    let gateway = match f.channel {
        Channel::Sms => "the SMS gateway",
        Channel::Whatsapp => "the WhatsApp gateway",
        Channel::Email => "the e-mail server",
    };
    let contact = match f.channel {
        Channel::Email => "address",
        Channel::Sms | Channel::Whatsapp => "number",
    };
    match f.reason {
        NotConfigured => format!(
            "Not sent: this store has no {} set up. Choose another channel, or ask a manager for an override.",
            gateway.trim_start_matches("the ")
        ),
        Unreachable => format!(
            "Not sent: {gateway} could not be reached. Nothing was sent to the customer; try again or choose another channel."
        ),
        Timeout => format!(
            "Not sent: {gateway} did not answer in time. If a code arrives later it will not work; send a new code or choose another channel."
        ),
        Rejected => format!(
            "Not sent: {gateway} refused the message. Nothing was sent to the customer; check the customer's {contact} or choose another channel."
        ),
        GatewayError => format!(
            "Not sent: {gateway} had a problem on its side. Nothing was sent to the customer; try again in a moment or choose another channel."
        ),
    }
}

pub fn for_error(e: &BackendError) -> String {
    match e {
        BackendError::Problem(p) => for_problem(p),
        BackendError::Network => {
            "Cannot reach the loyalty server. Check the network, then try again.".into()
        }
        BackendError::Timeout => "The loyalty server did not answer in time. Try again.".into(),
        BackendError::Unexpected { status } => {
            format!("The loyalty server gave an unexpected answer (HTTP {status}). Try again.")
        }
    }
}

/// `75` → "1 min 15 s", for countdowns and waits.
pub fn duration(secs: u64) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// `75` → "1:15", for the countdown clock.
pub fn clock(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::rules::{AllowedRange, Limit};
    use contract::{Currency, Money};

    #[test]
    fn every_code_has_its_own_message() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            let m = for_code(*c);
            assert!(m.ends_with('.') || m.ends_with('…'), "{c}: {m}");
            assert!(seen.insert(m), "{c} shares its message");
            assert!(!m.contains('_'), "{c} leaks a machine code: {m}");
        }
    }

    #[test]
    fn problems_carry_their_facts() {
        let p = Problem::new(ErrorCode::OtpInvalid).attempts_left(3);
        assert_eq!(
            for_problem(&p),
            "Wrong code: 3 tries left. Ask the customer to read it again."
        );
        assert!(
            for_problem(&Problem::new(ErrorCode::OtpInvalid).attempts_left(1))
                .contains("1 try left")
        );
        let p = Problem::new(ErrorCode::RateLimited).retry_after(90);
        assert!(for_problem(&p).ends_with("Try again in 1 min 30 s."));
        let unit = Money::new(100, Currency::INR).unwrap();
        let p = Problem::new(ErrorCode::BelowMinimum).allowed(AllowedRange {
            min: 50,
            max: 1000,
            limited_by: Limit::Bill,
            unit_value: unit,
        });
        assert_eq!(
            for_problem(&p),
            "That is below the minimum that can be redeemed. Enter 50 to 1000."
        );
    }

    #[test]
    fn a_code_not_sent_says_why_and_what_to_do() {
        use DeliveryFailureReason::*;
        let say = |channel, reason| {
            for_problem(
                &Problem::new(ErrorCode::DeliveryFailed)
                    .delivery_failure(DeliveryFailure { channel, reason }),
            )
        };
        assert_eq!(
            say(Channel::Sms, Timeout),
            "Not sent: the SMS gateway did not answer in time. If a code arrives later it will not work; send a new code or choose another channel."
        );
        assert_eq!(
            say(Channel::Whatsapp, GatewayError),
            "Not sent: the WhatsApp gateway had a problem on its side. Nothing was sent to the customer; try again in a moment or choose another channel."
        );
        assert_eq!(
            say(Channel::Email, Rejected),
            "Not sent: the e-mail server refused the message. Nothing was sent to the customer; check the customer's address or choose another channel."
        );
        assert_eq!(
            say(Channel::Sms, NotConfigured),
            "Not sent: this store has no SMS gateway set up. Choose another channel, or ask a manager for an override."
        );
        let mut all = std::collections::HashSet::new();
        for channel in Channel::ALL {
            for reason in [NotConfigured, Unreachable, Timeout, Rejected, GatewayError] {
                let m = say(channel, reason);
                assert!(m.starts_with("Not sent: ") && m.ends_with('.'), "{m}");
                assert!(all.insert(m), "each class and channel reads differently");
            }
        }
        // An older backend without the extension still gets a clear sentence.
        assert_eq!(
            for_problem(&Problem::new(ErrorCode::DeliveryFailed)),
            for_code(ErrorCode::DeliveryFailed)
        );
    }

    #[test]
    fn transport_failures_are_distinct() {
        let n = for_error(&BackendError::Network);
        let t = for_error(&BackendError::Timeout);
        let u = for_error(&BackendError::Unexpected { status: 502 });
        assert!(n != t && t != u && n != u);
        assert!(u.contains("502"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(5), "5 s");
        assert_eq!(duration(120), "2 min");
        assert_eq!(duration(75), "1 min 15 s");
        assert_eq!(clock(75), "1:15");
        assert_eq!(clock(5), "0:05");
    }
}
