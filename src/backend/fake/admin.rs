//! The fake's store set-up: staff, terminals, the override code and card types in memory,
//! checked by the contract's rules as the server checks them; and accruals at the store's
//! rate (or Asha's card type's).

use super::{problem, State};
use crate::backend::{AdminCall, AdminReply, BackendError};
use contract::api::{
    Accrual, CreateAccrual, ImportProblem, ImportResult, Role, StaffMember, TerminalAdded,
    TerminalInfo, TerminalMode,
};
use contract::cards::{same_customer_type, CardIssued, CardType, NewCardType};
use contract::outreach::{Category, Consent, MessagePreview, NewMessage, SentMessage};
use contract::{credentials, rules, EarnRate, ErrorCode, InstrumentKind, Problem};

/// Asha's contacts, as a manager may name her.
const ASHA_NAMES: [&str; 5] = [
    "+919876543210",
    "98765 43210",
    "9876543210",
    "RG00012345",
    "asha@example.com",
];

/// What a message to customers would do in the fake: Asha is its only customer.
fn plan(a: &Admin, m: &NewMessage, per_day: u32) -> Result<MessagePreview, BackendError> {
    m.validate().map_err(card_invalid)?;
    let named = m.named();
    let not_found: Vec<String> = named
        .iter()
        .filter(|n| !ASHA_NAMES.contains(n))
        .map(|n| n.to_string())
        .collect();
    let asha = match &m.card_type {
        Some(id) => {
            let card = a.card_types.iter().find(|c| &c.id == id).ok_or_else(|| {
                card_invalid(vec![contract::PolicyError {
                    field: "card_type".into(),
                    message: "There is no such card type".into(),
                }])
            })?;
            a.asha_type
                .as_ref()
                .is_some_and(|t| same_customer_type(&card.customer_type, t))
        }
        None => not_found.len() < named.len(),
    };
    let agreed = match m.category {
        Category::Service => a.asha_consent.0,
        Category::Promotional => a.asha_consent.1,
    };
    let used: u32 = a.messages.iter().map(|x| x.recipients).sum();
    Ok(MessagePreview {
        recipients: u32::from(asha && agreed),
        without_consent: u32::from(asha && !agreed),
        unreachable: 0,
        not_found,
        budget_left: per_day.saturating_sub(used),
        text: m
            .text
            .replace("{customer}", "Asha Rao")
            .replace("{store}", "Demo Store"),
        parts: 1,
    })
}

/// What a manager has set up, beyond the demo's own data.
pub(super) struct Admin {
    pub staff: Vec<StaffMember>,
    pub terminals: Vec<TerminalInfo>,
    pub card_types: Vec<CardType>,
    pub override_code: String,
    /// Asha's customer type.
    pub asha_type: Option<String>,
    pub accrued_bills: Vec<String>,
    /// The bill the demo voucher was taken off, once it is.
    pub voucher_bill: Option<String>,
    /// Messages to customers sent, newest first.
    pub messages: Vec<SentMessage>,
    /// Asha's consent to service and to promotional messages.
    pub asha_consent: (bool, bool),
}

impl Default for Admin {
    fn default() -> Self {
        let member = |id: &str, name: &str, role| StaffMember {
            id: id.into(),
            code: id.into(),
            name: name.into(),
            role,
            mobile: None,
            daily_summary: false,
        };
        Admin {
            staff: vec![
                member("C001", "Ravi Kumar", Role::Cashier),
                member("M001", "Meera Shah", Role::Manager),
            ],
            terminals: vec![TerminalInfo {
                id: "demo-till-1".into(),
                name: "Till 1".into(),
                mode: TerminalMode::Pos,
            }],
            card_types: vec![],
            override_code: "24681357".into(),
            asha_type: None,
            accrued_bills: vec![],
            voucher_bill: None,
            messages: vec![],
            asha_consent: (true, false),
        }
    }
}

fn invalid(message: impl Into<String>) -> BackendError {
    BackendError::Problem(Problem::new(ErrorCode::InvalidRequest).detail(message))
}

fn card_invalid(errors: Vec<contract::PolicyError>) -> BackendError {
    let mut p = Problem::new(ErrorCode::InvalidRequest);
    p.errors = errors;
    BackendError::Problem(p)
}

pub(super) fn admin(s: &mut State, call: AdminCall) -> Result<AdminReply, BackendError> {
    super::manager_only(s)?;
    let currency = s.policy.currency;
    let me = s.signed_in.as_ref().map(|st| st.id.clone());
    let a = &mut s.admin;
    Ok(match call {
        call @ (AdminCall::Report { .. }
        | AdminCall::Liability { .. }
        | AdminCall::Cashiers { .. }
        | AdminCall::Audit { .. }) => {
            return super::reports::answer(s, call, crate::platform::now_ms())
        }
        AdminCall::Staff => AdminReply::Staff(a.staff.clone()),
        AdminCall::AddStaff(n) => {
            let code = credentials::staff_code(&n.code).map_err(invalid)?;
            credentials::check_pin(&n.pin).map_err(invalid)?;
            if n.name.trim().is_empty() {
                return Err(invalid("give the staff member's name"));
            }
            if a.staff.iter().any(|m| m.code == code) {
                return Err(invalid(format!(
                    "staff code {code} is taken: choose another"
                )));
            }
            let m = StaffMember {
                id: format!("stf-{code}"),
                code,
                name: n.name.trim().into(),
                role: n.role,
                mobile: n.mobile.clone(),
                daily_summary: false,
            };
            a.staff.push(m.clone());
            AdminReply::Member(m)
        }
        AdminCall::DisableStaff(id) => {
            if me.as_deref() == Some(id.as_str()) {
                return Err(invalid("you cannot disable yourself"));
            }
            let i = a.staff.iter().position(|m| m.id == id);
            AdminReply::Member(
                a.staff
                    .remove(i.ok_or_else(|| problem(ErrorCode::NotFound))?),
            )
        }
        AdminCall::SetPin { id, body } => {
            credentials::check_pin(&body.pin).map_err(invalid)?;
            let m = a.staff.iter().find(|m| m.id == id);
            AdminReply::Member(m.cloned().ok_or_else(|| problem(ErrorCode::NotFound))?)
        }
        AdminCall::Terminals => AdminReply::Terminals(a.terminals.clone()),
        AdminCall::AddTerminal(n) => {
            if n.name.trim().is_empty() {
                return Err(invalid("give the terminal a name, e.g. Till 2"));
            }
            let t = TerminalInfo {
                id: format!("ter-{}", a.terminals.len() + 1),
                name: n.name.trim().into(),
                mode: n.mode,
            };
            a.terminals.push(t.clone());
            AdminReply::TerminalAdded(TerminalAdded {
                terminal: t,
                token: format!("fake-token-{}", a.terminals.len()),
            })
        }
        AdminCall::RevokeTerminal(id) => {
            if id == "demo-till-1" {
                return Err(invalid("you cannot revoke the terminal you are using"));
            }
            let i = a.terminals.iter().position(|t| t.id == id);
            AdminReply::TerminalRevoked(
                a.terminals
                    .remove(i.ok_or_else(|| problem(ErrorCode::NotFound))?),
            )
        }
        AdminCall::SetOverrideCode(c) => {
            credentials::check_override_code(&c.code).map_err(invalid)?;
            a.override_code = c.code;
            AdminReply::OverrideCodeSet
        }
        AdminCall::CardTypes => AdminReply::CardTypes(a.card_types.clone()),
        AdminCall::AddCardType(n) => AdminReply::CardType(save_card(a, None, n, currency)?),
        AdminCall::EditCardType { id, body } => {
            AdminReply::CardType(save_card(a, Some(id), body, currency)?)
        }
        AdminCall::IssueCard(c) => {
            let found = ["+919876543210", "98765 43210", "9876543210", "RG00012345"]
                .contains(&c.customer.trim());
            if !found {
                return Err(BackendError::Problem(
                    Problem::new(ErrorCode::CustomerNotFound).field("customer"),
                ));
            }
            if let Some(t) = &c.customer_type {
                a.asha_type = Some(contract::cards::customer_type(t).map_err(invalid)?);
            }
            let card_type = a.asha_type.as_ref().and_then(|t| {
                a.card_types
                    .iter()
                    .find(|ct| same_customer_type(&ct.customer_type, t))
                    .map(|ct| ct.name.clone())
            });
            AdminReply::CardIssued(CardIssued {
                customer_id: "cus-asha".into(),
                customer_name: "Asha Rao".into(),
                card: c.card,
                customer_type: a.asha_type.clone(),
                card_type,
                welcome: None,
            })
        }
        AdminCall::Messages => AdminReply::Messages {
            sent: a.messages.clone(),
            card_types: a.card_types.clone(),
        },
        AdminCall::PreviewMessage(message) => {
            let preview = plan(a, &message, s.policy.customer_messages_per_day)?;
            AdminReply::Preview { message, preview }
        }
        AdminCall::SendMessage(m) => {
            let p = plan(a, &m, s.policy.customer_messages_per_day)?;
            if p.recipients == 0 {
                return Err(BackendError::Problem(
                    Problem::new(ErrorCode::InvalidRequest)
                        .detail("No customer would get it")
                        .field("customers"),
                ));
            }
            if p.recipients > p.budget_left {
                return Err(BackendError::Problem(Problem::new(
                    ErrorCode::MessageBudgetExhausted,
                )));
            }
            let sent = SentMessage {
                id: format!("msg-{}", a.messages.len() + 1),
                at_ms: crate::platform::now_ms(),
                category: m.category,
                channel: m.channel,
                audience: match &m.card_type {
                    Some(_) => "card type".into(),
                    None => format!("{} customers", m.named().len()),
                },
                text: m.text,
                sent_by: "Meera Shah".into(),
                recipients: p.recipients,
                queued: 0,
                sent: p.recipients,
                delivered: 0,
                failed: 0,
            };
            a.messages.insert(0, sent.clone());
            AdminReply::MessageSent(sent)
        }
        AdminCall::SetDailySummary { id, on } => {
            let m = a
                .staff
                .iter_mut()
                .find(|m| m.id == id)
                .ok_or_else(|| problem(ErrorCode::NotFound))?;
            if on && m.mobile.is_none() {
                return Err(BackendError::Problem(
                    Problem::new(ErrorCode::InvalidRequest)
                        .detail(format!("{} has no mobile number for the summary", m.name))
                        .field("daily_summary"),
                ));
            }
            m.daily_summary = on;
            AdminReply::Member(m.clone())
        }
        AdminCall::SetConsent(c) => {
            if !ASHA_NAMES.contains(&c.customer.trim()) {
                return Err(BackendError::Problem(
                    Problem::new(ErrorCode::CustomerNotFound).field("customer"),
                ));
            }
            a.asha_consent = (c.service, c.promotional);
            AdminReply::Consent(Consent {
                customer_id: "cus-asha".into(),
                customer_name: "Asha Rao".into(),
                service: c.service,
                promotional: c.promotional,
            })
        }
        AdminCall::Import { csv, dry_run } => {
            let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
            let header = lines.next().unwrap_or_default();
            let rows: Vec<&str> = lines.collect();
            let errors = match header.split(',').any(|h| h.trim() == "name") {
                true => vec![],
                false => vec![ImportProblem {
                    row: 1,
                    column: Some("name".into()),
                    message: "the header has no name column".into(),
                }],
            };
            AdminReply::Imported(ImportResult {
                rows: rows.len() as u32,
                added: if errors.is_empty() {
                    rows.len() as u32
                } else {
                    0
                },
                unchanged: 0,
                balances_opened: 0,
                errors,
                dry_run,
            })
        }
    })
}

fn save_card(
    a: &mut Admin,
    id: Option<String>,
    n: NewCardType,
    currency: contract::Currency,
) -> Result<CardType, BackendError> {
    n.validate(currency).map_err(card_invalid)?;
    let clash = a.card_types.iter().any(|c| {
        Some(&c.id) != id.as_ref() && same_customer_type(&c.customer_type, &n.customer_type)
    });
    if clash {
        return Err(card_invalid(vec![contract::PolicyError {
            field: "customer_type".into(),
            message: "another card type is for these customers".into(),
        }]));
    }
    let card = CardType {
        id: id.unwrap_or_else(|| format!("ct-{}", a.card_types.len() + 1)),
        name: n.name.trim().into(),
        customer_type: n.customer_type.trim().into(),
        earn_points: n.earn_points,
        earn_per: n.earn_per,
        point_value: n.point_value,
    };
    match a.card_types.iter_mut().find(|c| c.id == card.id) {
        Some(c) => *c = card.clone(),
        None => a.card_types.push(card.clone()),
    }
    Ok(card)
}

/// The points a sale earns for Asha: at her card type's rate, or the store's.
pub(super) fn accrue(s: &mut State, body: CreateAccrual) -> Result<Accrual, BackendError> {
    let card = s.admin.asha_type.as_ref().and_then(|t| {
        s.admin
            .card_types
            .iter()
            .find(|c| same_customer_type(&c.customer_type, t))
    });
    let rate = EarnRate::of(&s.policy, card);
    let points = rules::points_earned(&rate, &body.bill)
        .map_err(|e| BackendError::Problem(Problem::from(e).field("bill.total")))?;
    if points == 0 {
        return Err(BackendError::Problem(
            Problem::new(ErrorCode::NothingEarned).field("bill.total"),
        ));
    }
    let bill = body.bill.id().to_string();
    if s.admin.accrued_bills.contains(&bill) {
        return Err(BackendError::Problem(
            Problem::new(ErrorCode::IdempotencyConflict)
                .detail("This bill already earned points")
                .field("bill.id"),
        ));
    }
    let customer = s
        .customers
        .iter_mut()
        .find(|b| b.customer.id == body.customer_id)
        .ok_or_else(|| problem(ErrorCode::CustomerNotFound))?;
    let ins = customer
        .instruments
        .iter_mut()
        .find(|i| i.kind == InstrumentKind::Points)
        .ok_or_else(|| problem(ErrorCode::CustomerNotFound))?;
    ins.available += points;
    let balance_after = ins.available;
    s.admin.accrued_bills.push(bill.clone());
    Ok(Accrual {
        id: format!("acc-{}", s.admin.accrued_bills.len()),
        customer_id: body.customer_id,
        bill_id: bill,
        points: contract::Quantity::new(points).map_err(|e| invalid(e.to_string()))?,
        balance_after,
        at_ms: crate::platform::now_ms(),
    })
}

/// The fake's one printed voucher: ₹500.00 of Asha's.
pub const FAKE_VOUCHER: &str = "RGV-ABCD-EFGH-JK23";

/// Takes the fake voucher off a bill, once (a retry for the same bill answers the same).
pub(super) fn redeem_voucher(
    s: &mut State,
    body: contract::api::RedeemVoucher,
) -> Result<contract::api::VoucherRedeemed, BackendError> {
    if contract::vouchers::canonical(&body.code).as_deref() != Some(FAKE_VOUCHER) {
        return Err(BackendError::Problem(
            Problem::new(ErrorCode::VoucherNotFound).field("code"),
        ));
    }
    let bill = body.bill.id().to_string();
    match &s.admin.voucher_bill {
        Some(b) if *b != bill => {
            return Err(BackendError::Problem(
                Problem::new(ErrorCode::VoucherUsed)
                    .detail(format!("This voucher (₹500.00) was already redeemed on bill {b}: a copy cannot be used again. Do not accept it."))
                    .field("code"),
            ))
        }
        _ => s.admin.voucher_bill = Some(bill.clone()),
    }
    let value =
        contract::Money::new(50_000, s.policy.currency).map_err(|e| invalid(e.to_string()))?;
    Ok(contract::api::VoucherRedeemed {
        code: FAKE_VOUCHER.into(),
        value,
        customer_name: "Asha Rao".into(),
        bill_id: bill,
        redeemed_at_ms: crate::platform::now_ms(),
        bill_redeemed: value,
    })
}
