//! Writing the contract's request shapes as JSON. Each writer destructures its shape, so a
//! field added to a request and not written here does not compile.

use super::json::Writer;
use crate::api::*;
use crate::bill::Bill;
use crate::cards::*;
use crate::contact::{CallingCode, Channel};
use crate::instrument::InstrumentKind;
use crate::money::{Currency, Money};
use crate::otp::{OtpCode, OtpLength};
use crate::outreach::{NewMessage, SetConsent};
use crate::policy::{BillCap, Policy};
use crate::quantity::Quantity;
use crate::reports::{ClockTime, FraudThresholds};
use crate::rules::Purpose;
use crate::template::{MessageTemplate, Templates};

/// A contract shape written as JSON.
pub trait ToJson {
    fn write(&self, w: &mut Writer);
}

/// The JSON text of a value.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut w = Writer::default();
    value.write(&mut w);
    w.finish()
}

impl ToJson for str {
    fn write(&self, w: &mut Writer) {
        w.str(self);
    }
}

impl ToJson for String {
    fn write(&self, w: &mut Writer) {
        w.str(self);
    }
}

impl ToJson for bool {
    fn write(&self, w: &mut Writer) {
        w.bool(*self);
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write(&self, w: &mut Writer) {
                w.uint(u64::from(*self));
            }
        }
    )*};
}
unsigned!(u8, u16, u32, u64);

impl ToJson for i64 {
    fn write(&self, w: &mut Writer) {
        w.int(*self);
    }
}

/// `null` when absent, as serde writes an optional field it does not skip.
impl<T: ToJson> ToJson for Option<T> {
    fn write(&self, w: &mut Writer) {
        match self {
            Some(v) => v.write(w),
            None => {
                w.null();
            }
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write(&self, w: &mut Writer) {
        w.begin_array();
        for item in self {
            item.write(w);
        }
        w.end_array();
    }
}

/// Writes the members of an object.
fn members(w: &mut Writer, fields: &[(&str, &dyn ToJson)]) {
    w.begin_object();
    for (name, value) in fields {
        w.key(name);
        value.write(w);
    }
    w.end_object();
}

/// Objects member by member. Members after `;` are optionals serde skips when absent; the
/// others are always written (an absent optional among them as `null`, as serde does).
macro_rules! structs {
    ($($ty:ident { $($f:ident),* $(,)? $(; $($o:ident),* $(,)?)? })*) => {$(
        impl ToJson for $ty {
            fn write(&self, w: &mut Writer) {
                let $ty { $($f,)* $($($o,)*)? } = self;
                #[allow(unused_mut)]
                let mut fields: Vec<(&str, &dyn ToJson)> =
                    vec![$((stringify!($f), $f as &dyn ToJson),)*];
                $($(
                    if let Some(v) = $o {
                        fields.push((stringify!($o), v));
                    }
                )*)?
                members(w, &fields);
            }
        }
    )*};
}

structs! {
    SignIn { staff_code, pin }
    CreateRedemption { customer_id, instrument_id, quantity, purpose }
    SendOtp { channel }
    Verify { code }
    Override { manager_code, manager_pin, override_code, reason }
    RequestApproval { reason }
    KioskIdentify { query; channel }
    Reverse { reason }
    CreateAccrual { customer_id, bill }
    NewStaff { code, name, role, pin; mobile }
    NewPin { pin }
    DailySummary { daily_summary }
    NewTerminal { name, mode }
    NewOverrideCode { code }
    NewCardType { name, customer_type, earn_points, earn_per, point_value }
    IssueCard { customer, card, customer_type }
    NewMessage { category, channel, customers, card_type, text }
    SetConsent { customer, service, promotional }
    RedeemVoucher { code, bill }
    Templates { sms, whatsapp, email }
    Policy {
        otp_required, otp_min_value, point_value, min_redeem_points, max_redeem_per_bill,
        otp_length, otp_ttl_secs, max_verify_attempts, resend_cooldown_secs,
        max_sends_per_customer, max_sends_per_terminal, max_sends_per_cashier,
        send_window_secs, daily_message_budget, channels, otp_instruments, override_enabled,
        override_daily_cap, templates, currency, locale, country_calling_code, kiosk_idle_secs,
        earn_points, earn_per, earn_cap_per_bill, reversal_window_secs, time_zone,
        override_store_code, voucher_valid_days, disowned_block_hours,
        customer_messages_per_day, fraud,
    }
    FraudThresholds {
        override_share_pct, no_sale_share_pct, min_redemptions, failed_codes, reversals,
        after_hours, shared_contacts, burst_customers, burst_minutes, opens_at, closes_at,
    }
}

macro_rules! as_text {
    ($($ty:ty => $f:expr),* $(,)?) => {$(
        impl ToJson for $ty {
            fn write(&self, w: &mut Writer) {
                let text: fn(&$ty) -> String = $f;
                w.str(&text(self));
            }
        }
    )*};
}

as_text! {
    Channel => |c| c.as_str().to_string(),
    crate::outreach::Category => |c| c.as_str().to_string(),
    InstrumentKind => |k| k.as_str().to_string(),
    Currency => |c| c.code().to_string(),
    CallingCode => |c| c.get().to_string(),
    OtpCode => |c| c.expose().to_string(),
    MessageTemplate => |t| t.as_str().to_string(),
    ClockTime => |t| t.to_string(),
    Role => |r| match r { Role::Cashier => "cashier", Role::Manager => "manager" }.to_string(),
    TerminalMode => |m| match m { TerminalMode::Pos => "pos", TerminalMode::Kiosk => "kiosk" }.to_string(),
}

impl ToJson for Quantity {
    fn write(&self, w: &mut Writer) {
        w.uint(self.get());
    }
}

impl ToJson for OtpLength {
    fn write(&self, w: &mut Writer) {
        w.uint(u64::from(self.get()));
    }
}

impl ToJson for Money {
    fn write(&self, w: &mut Writer) {
        members(
            w,
            &[("minor", &self.minor()), ("currency", &self.currency())],
        );
    }
}

impl ToJson for Bill {
    fn write(&self, w: &mut Writer) {
        members(w, &[("id", &self.id().as_str()), ("total", &self.total())]);
    }
}

impl ToJson for &str {
    fn write(&self, w: &mut Writer) {
        w.str(self);
    }
}

impl ToJson for Purpose {
    fn write(&self, w: &mut Writer) {
        match self {
            Purpose::Bill { bill } => members(w, &[("kind", &"bill"), ("bill", bill)]),
            Purpose::Voucher => members(w, &[("kind", &"voucher")]),
        }
    }
}

impl ToJson for BillCap {
    fn write(&self, w: &mut Writer) {
        match self {
            BillCap::Absolute { value } => members(w, &[("kind", &"absolute"), ("value", value)]),
            BillCap::Percent { percent } => {
                members(w, &[("kind", &"percent"), ("percent", percent)])
            }
        }
    }
}
