//! An in-memory backend that follows the contract's rules, for tests and offline demos.
//! It mirrors the demo server's data (terminal `demo-till-1`, cashier C001/1234, manager
//! M001/9999, override code 24681357, Asha Rao with 1,200 points).

mod admin;
mod data;
mod reports;

pub use admin::FAKE_VOUCHER;
pub use data::asha;

use super::{AdminCall, AdminReply, Backend, BackendError, Fut};
use crate::platform;
use contract::api::{
    Approval, ApprovalList, ApprovalRequest, ApprovalStatus, Balance, CreateRedemption,
    CustomerSearch, KioskIdentify, OtpSent, Override, Receipt, Redemption, RedemptionStatus,
    RequestApproval, Role, SendOtp, Session, SignIn, StaffInfo, StoreInfo, TerminalInfo,
    TerminalMode, Verify, Voucher,
};
use contract::lookup::{classify, Searcher};
use contract::rules::{self, Purpose};
use contract::{Channel, ErrorCode, Money, Policy, Problem};
use data::{is_asha, staff};
use std::cell::RefCell;
use std::collections::HashMap;

/// The code the fake "sends" (the demo phone shows it to the customer; tests read it here).
pub const FAKE_CODE: &str = "123456";

struct State {
    policy: Policy,
    signed_in: Option<StaffInfo>,
    customers: Vec<Balance>,
    redemptions: HashMap<String, Redemption>,
    failed_attempts: HashMap<String, u8>,
    receipts: HashMap<String, (String, Receipt)>,
    next_id: u32,
    commits: u32,
    /// Commits that succeed but whose answer is "lost" (a network failure after the fact).
    lose_commit_answers: u32,
    /// Extra errors `save_policy` reports (beyond the contract's own validation).
    policy_rejection: Option<Vec<contract::PolicyError>>,
    /// Kiosk: the customer a code went to, failed tries, and the customer it proved.
    kiosk_pending: Option<String>,
    kiosk_failed: u8,
    kiosk_bound: Option<String>,
    admin: admin::Admin,
}

/// The fake. Single-threaded interior mutability, like the browser.
pub struct FakeBackend {
    state: RefCell<State>,
}

impl Default for FakeBackend {
    fn default() -> Self {
        FakeBackend::new()
    }
}

fn problem(code: ErrorCode) -> BackendError {
    BackendError::Problem(Problem::new(code))
}

/// A sum the fake cannot make (never with its own data).
fn internal() -> BackendError {
    problem(ErrorCode::Internal)
}

impl FakeBackend {
    pub fn new() -> Self {
        FakeBackend::with_policy(Policy::default())
    }

    pub fn with_policy(policy: Policy) -> Self {
        FakeBackend {
            state: RefCell::new(State {
                policy,
                signed_in: None,
                customers: vec![asha()],
                redemptions: HashMap::new(),
                failed_attempts: HashMap::new(),
                receipts: HashMap::new(),
                next_id: 1,
                commits: 0,
                lose_commit_answers: 0,
                policy_rejection: None,
                kiosk_pending: None,
                kiosk_failed: 0,
                kiosk_bound: None,
                admin: admin::Admin::default(),
            }),
        }
    }

    /// Number of ledger debits so far (a replayed commit does not count).
    pub fn commits(&self) -> u32 {
        self.state.borrow().commits
    }

    pub fn lose_commit_answers(&self, n: u32) {
        self.state.borrow_mut().lose_commit_answers = n;
    }

    pub fn reject_policy_with(&self, errors: Vec<contract::PolicyError>) {
        self.state.borrow_mut().policy_rejection = Some(errors);
    }

    pub fn expire_session(&self) {
        self.state.borrow_mut().signed_in = None;
    }

    /// Kiosk: the customer the self-service session may act for, if any.
    pub fn kiosk_customer(&self) -> Option<String> {
        self.state.borrow().kiosk_bound.clone()
    }

    pub fn redemption(&self, id: &str) -> Option<Redemption> {
        self.state.borrow().redemptions.get(id).cloned()
    }

    /// A manager on another device answers the oldest pending request (tests of the till
    /// waiting for approval). Returns whether there was one.
    pub fn decide_pending(&self, approve: bool) -> bool {
        let mut s = self.state.borrow_mut();
        let Some(r) = s.redemptions.values_mut().find(|r| pending(r)) else {
            return false;
        };
        decide(r, approve, "Meera Shah");
        true
    }

    /// Runs `f` as a signed-in call.
    fn call<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        let mut s = self.state.borrow_mut();
        if s.signed_in.is_none() {
            return Err(problem(ErrorCode::SessionExpired));
        }
        f(&mut s)
    }

    fn ready<T: 'static>(r: Result<T, BackendError>) -> Fut<'static, T> {
        Box::pin(std::future::ready(r))
    }
}

fn open<'a>(s: &'a mut State, id: &str) -> Result<&'a mut Redemption, BackendError> {
    let now = platform::now_ms();
    let r = s
        .redemptions
        .get_mut(id)
        .ok_or_else(|| problem(ErrorCode::NotFound))?;
    if r.status.is_open() && now >= r.expires_at_ms {
        r.status = RedemptionStatus::Expired;
    }
    match r.status {
        RedemptionStatus::Expired => Err(problem(ErrorCode::IntentExpired)),
        RedemptionStatus::Locked => Err(problem(ErrorCode::OtpLocked)),
        st if !st.is_open() => Err(problem(ErrorCode::IntentClosed)),
        _ => Ok(r),
    }
}

impl Backend for FakeBackend {
    fn sign_in(&self, terminal_token: String, body: SignIn) -> Fut<'_, Session> {
        let mut s = self.state.borrow_mut();
        let mode = match terminal_token.as_str() {
            "demo-till-1" | "demo-till-2" => TerminalMode::Pos,
            "demo-kiosk-1" => TerminalMode::Kiosk,
            _ => return Self::ready(Err(problem(ErrorCode::Unauthenticated))),
        };
        let self_service = mode == TerminalMode::Kiosk && body.staff_code.is_empty();
        let info = if self_service {
            StaffInfo {
                id: "kiosk:demo-kiosk-1".into(),
                name: "Self-service (Kiosk 1)".into(),
                role: Role::Cashier,
            }
        } else {
            let Some(st) = staff()
                .into_iter()
                .find(|st| st.code == body.staff_code && st.pin == body.pin)
            else {
                return Self::ready(Err(problem(ErrorCode::SignInFailed)));
            };
            st.info
        };
        s.signed_in = Some(info.clone());
        s.kiosk_bound = None;
        Self::ready(Ok(Session {
            token: "fake-session".into(),
            expires_at_ms: platform::now_ms() + 8 * 3_600_000,
            staff: info,
            terminal: TerminalInfo {
                id: terminal_token.clone(),
                name: if self_service { "Kiosk 1" } else { "Till 1" }.into(),
                mode,
            },
            store: StoreInfo {
                id: "st-mg".into(),
                name: "MG Road".into(),
                merchant_name: "Glow Salons".into(),
            },
        }))
    }

    fn sign_out(&self) -> Fut<'_, ()> {
        self.state.borrow_mut().signed_in = None;
        Self::ready(Ok(()))
    }

    fn policy(&self) -> Fut<'_, Policy> {
        Self::ready(self.call(|s| Ok(s.policy.clone())))
    }

    fn save_policy(&self, policy: Policy) -> Fut<'_, Policy> {
        Self::ready(self.call(|s| {
            if s.signed_in
                .as_ref()
                .is_some_and(|st| st.role != Role::Manager)
            {
                return Err(problem(ErrorCode::Forbidden));
            }
            let mut errors = policy.validate().err().map(|e| e.0).unwrap_or_default();
            errors.extend(s.policy_rejection.clone().unwrap_or_default());
            if !errors.is_empty() {
                return Err(BackendError::Problem(
                    contract::policy::PolicyErrors(errors).into(),
                ));
            }
            s.policy = policy.clone();
            Ok(policy)
        }))
    }

    fn search(&self, query: String) -> Fut<'_, CustomerSearch> {
        Self::ready(self.call(|s| {
            let lookup = classify(&query, s.policy.country_calling_code, Searcher::Staff)
                .map_err(|e| BackendError::Problem(e.into()))?;
            let customers = s
                .customers
                .iter()
                .filter(|b| lookup.keys().into_iter().any(|k| is_asha(k, &b.customer)))
                .map(|b| b.customer.clone())
                .collect();
            Ok(CustomerSearch { customers })
        }))
    }

    fn balance(&self, customer_id: String) -> Fut<'_, Balance> {
        Self::ready(self.call(|s| {
            s.customers
                .iter()
                .find(|b| b.customer.id == customer_id)
                .cloned()
                .ok_or_else(|| problem(ErrorCode::CustomerNotFound))
        }))
    }

    fn create(&self, body: CreateRedemption) -> Fut<'_, Redemption> {
        Self::ready(self.call(|s| {
            let policy = s.policy.clone();
            // Every open hold and posted redemption on the bill counts, as at the server (S12).
            let mut earlier = rules::Earlier::nothing(policy.currency);
            if let Some(bill) = body.purpose.bill() {
                earlier.on_bill = Money::new(redeemed_on(s, bill), policy.currency)
                    .map_err(|e| BackendError::Problem(Problem::from(e)))?;
            }
            let bal = s
                .customers
                .iter_mut()
                .find(|b| b.customer.id == body.customer_id)
                .ok_or_else(|| problem(ErrorCode::CustomerNotFound))?;
            let name = bal.customer.name.clone();
            let inst = bal
                .instruments
                .iter_mut()
                .find(|i| i.id == body.instrument_id)
                .ok_or_else(|| problem(ErrorCode::NotFound))?;
            let checked =
                rules::check_redemption(&policy, inst, body.quantity, &body.purpose, &earlier)
                    .map_err(|e| {
                        let mut p = Problem::from(e);
                        p.allowed =
                            rules::allowed_range(&policy, inst, &body.purpose, &earlier).ok();
                        BackendError::Problem(p)
                    })?;
            inst.available -= body.quantity.get(); // the hold
            let now = platform::now_ms();
            let id = format!("rd-{}", s.next_id);
            s.next_id += 1;
            // At a kiosk every voucher needs its own code, stating its amount (S3, as the
            // server does).
            let needs_code = checked.otp_required || s.kiosk_bound.is_some();
            let r = Redemption {
                id: id.clone(),
                status: if needs_code {
                    RedemptionStatus::AwaitingOtp
                } else {
                    RedemptionStatus::Approved
                },
                customer_id: body.customer_id,
                customer_name: name,
                instrument_id: inst.id.clone(),
                instrument_kind: inst.kind,
                instrument_label: inst.label.clone(),
                unit: inst.unit,
                quantity: body.quantity,
                value: checked.value,
                purpose: body.purpose,
                otp_required: needs_code,
                expires_at_ms: now + 900_000,
                otp: None,
                created_at_ms: now,
                approval_request: None,
            };
            s.redemptions.insert(id, r.clone());
            Ok(r)
        }))
    }

    fn get(&self, id: String) -> Fut<'_, Redemption> {
        Self::ready(self.call(|s| {
            s.redemptions
                .get(&id)
                .cloned()
                .ok_or_else(|| problem(ErrorCode::NotFound))
        }))
    }

    fn send_otp(&self, id: String, body: SendOtp) -> Fut<'_, OtpSent> {
        Self::ready(self.call(|s| {
            let policy = s.policy.clone();
            let failed = s.failed_attempts.get(&id).copied().unwrap_or(0);
            let r = open(s, &id)?;
            if r.status != RedemptionStatus::AwaitingOtp {
                return Err(problem(ErrorCode::IntentClosed));
            }
            let now = platform::now_ms();
            if let Some(prev) = &r.otp {
                if now < prev.resend_after_ms {
                    return Err(BackendError::Problem(
                        Problem::new(ErrorCode::ResendCooldown)
                            .retry_after(((prev.resend_after_ms - now) / 1000) as u32 + 1),
                    ));
                }
            }
            let destination = match body.channel {
                Channel::Email => "a•••@example.com",
                _ => "+91 ••••••3210",
            };
            let sent = OtpSent {
                channel: body.channel,
                destination: destination.into(),
                expires_at_ms: now + i64::from(policy.otp_ttl_secs) * 1000,
                resend_after_ms: now + i64::from(policy.resend_cooldown_secs) * 1000,
                attempts_left: policy.max_verify_attempts.saturating_sub(failed),
                amount_first: None,
                delivery: None,
            };
            r.otp = Some(sent.clone());
            Ok(sent)
        }))
    }

    fn verify(&self, id: String, body: Verify) -> Fut<'_, Redemption> {
        Self::ready(self.call(|s| {
            let max = s.policy.max_verify_attempts;
            let failed = s.failed_attempts.get(&id).copied().unwrap_or(0);
            let r = open(s, &id)?;
            let Some(otp) = r.otp.clone() else {
                return Err(problem(ErrorCode::OtpNotSent));
            };
            if platform::now_ms() >= otp.expires_at_ms {
                return Err(problem(ErrorCode::OtpExpired));
            }
            if body.code.expose() == FAKE_CODE {
                r.status = RedemptionStatus::Approved;
                return Ok(r.clone());
            }
            let failed = failed + 1;
            let left = max.saturating_sub(failed);
            if left == 0 {
                r.status = RedemptionStatus::Locked;
            }
            if let Some(o) = r.otp.as_mut() {
                o.attempts_left = left;
            }
            s.failed_attempts.insert(id, failed);
            if left == 0 {
                Err(problem(ErrorCode::OtpLocked))
            } else {
                Err(BackendError::Problem(
                    Problem::new(ErrorCode::OtpInvalid).attempts_left(left),
                ))
            }
        }))
    }

    fn override_(&self, id: String, body: Override) -> Fut<'_, Redemption> {
        Self::ready(self.call(|s| {
            if !s.policy.override_enabled || !s.policy.override_store_code {
                return Err(problem(ErrorCode::OverrideDisabled));
            }
            if body.reason.trim().is_empty() {
                return Err(problem(ErrorCode::ReasonRequired));
            }
            if (
                body.manager_code.as_str(),
                body.manager_pin.as_str(),
                body.override_code.as_str(),
            ) != ("M001", "9999", "24681357")
            {
                return Err(problem(ErrorCode::OverrideInvalid));
            }
            let r = open(s, &id)?;
            r.status = RedemptionStatus::Approved;
            Ok(r.clone())
        }))
    }

    fn request_approval(&self, id: String, body: RequestApproval) -> Fut<'_, Redemption> {
        Self::ready(self.call(|s| {
            if !s.policy.override_enabled {
                return Err(problem(ErrorCode::OverrideDisabled));
            }
            if body.reason.trim().is_empty() {
                return Err(problem(ErrorCode::ReasonRequired));
            }
            let cashier = s.signed_in.as_ref().map(|st| st.name.clone());
            let n = s.next_id;
            s.next_id += 1;
            let r = open(s, &id)?;
            if r.status != RedemptionStatus::AwaitingOtp {
                return Err(problem(ErrorCode::IntentClosed));
            }
            if pending(r) {
                return Err(problem(ErrorCode::ApprovalPending));
            }
            r.approval_request = Some(ApprovalRequest {
                id: format!("apr-{n}"),
                status: ApprovalStatus::Pending,
                redemption_id: r.id.clone(),
                customer_name: r.customer_name.clone(),
                instrument_kind: r.instrument_kind,
                instrument_label: r.instrument_label.clone(),
                unit: r.unit,
                quantity: r.quantity,
                value: r.value,
                bill_id: r.purpose.bill().map(|b| b.id().to_string()),
                cashier_name: cashier.unwrap_or_default(),
                terminal_name: "Till 1".into(),
                reason: body.reason.trim().to_string(),
                requested_at_ms: platform::now_ms(),
                expires_at_ms: r.expires_at_ms,
                decided_by: None,
            });
            Ok(r.clone())
        }))
    }

    fn approvals(&self) -> Fut<'_, ApprovalList> {
        Self::ready(self.call(|s| {
            manager_only(s)?;
            let mut requests: Vec<ApprovalRequest> = s
                .redemptions
                .values()
                .filter(|r| pending(r))
                .filter_map(|r| r.approval_request.clone())
                .collect();
            requests.sort_by_key(|a| (a.requested_at_ms, a.id.clone()));
            Ok(ApprovalList { requests })
        }))
    }

    fn decide_approval(&self, id: String, approve: bool) -> Fut<'_, ApprovalRequest> {
        Self::ready(self.call(|s| {
            manager_only(s)?;
            let manager = s
                .signed_in
                .as_ref()
                .map(|st| st.name.clone())
                .unwrap_or_default();
            let r = s
                .redemptions
                .values_mut()
                .find(|r| r.approval_request.as_ref().is_some_and(|a| a.id == id))
                .ok_or_else(|| problem(ErrorCode::NotFound))?;
            if !pending(r) {
                return Err(problem(ErrorCode::ApprovalClosed));
            }
            decide(r, approve, &manager);
            Ok(r.approval_request.clone().expect("just decided"))
        }))
    }

    fn commit(&self, id: String, key: String) -> Fut<'_, Receipt> {
        Self::ready(self.call(|s| {
            if let Some((rid, receipt)) = s.receipts.get(&key).cloned() {
                return if rid == id {
                    Ok(receipt)
                } else {
                    Err(problem(ErrorCode::IdempotencyConflict))
                };
            }
            let cashier = s
                .signed_in
                .as_ref()
                .map(|st| st.name.clone())
                .unwrap_or_default();
            let r = open(s, &id)?;
            if r.status != RedemptionStatus::Approved {
                return Err(problem(ErrorCode::OtpRequired));
            }
            r.status = RedemptionStatus::Committed;
            let r = r.clone();
            let bill_redeemed = r
                .purpose
                .bill()
                .and_then(|b| Money::new(redeemed_on(s, b), b.total().currency()).ok());
            let bal = s
                .customers
                .iter()
                .find(|b| b.customer.id == r.customer_id)
                .and_then(|b| b.instruments.iter().find(|i| i.id == r.instrument_id));
            let after = bal.map_or(0, |i| i.available);
            let now = platform::now_ms();
            let receipt = Receipt {
                redemption_id: r.id.clone(),
                customer_name: r.customer_name.clone(),
                instrument_kind: r.instrument_kind,
                instrument_label: r.instrument_label.clone(),
                unit: r.unit,
                quantity: r.quantity,
                value: r.value,
                balance_before: after + r.quantity.get(),
                balance_after: after,
                purpose: r.purpose.clone(),
                approval: match &r.otp {
                    Some(o) => Approval::Otp { channel: o.channel },
                    None if r.otp_required => Approval::Override {
                        manager_name: "Meera Shah".into(),
                        reason: "override".into(),
                    },
                    None => Approval::NotRequired,
                },
                cashier_name: cashier,
                terminal_name: "Till 1".into(),
                store_name: "MG Road".into(),
                committed_at_ms: now,
                voucher: (r.purpose == Purpose::Voucher).then(|| Voucher {
                    code: format!("LV-{}", r.id.to_uppercase()),
                    value: r.value,
                    valid_until_ms: now + 90 * 86_400_000,
                    sent_to: None,
                }),
                bill_redeemed,
            };
            s.commits += 1;
            s.receipts.insert(key, (id, receipt.clone()));
            if s.lose_commit_answers > 0 {
                s.lose_commit_answers -= 1;
                return Err(BackendError::Timeout);
            }
            Ok(receipt)
        }))
    }

    fn cancel(&self, id: String) -> Fut<'_, Redemption> {
        Self::ready(self.call(|s| {
            let r = open(s, &id)?;
            r.status = RedemptionStatus::Cancelled;
            let r = r.clone();
            if let Some(i) = s
                .customers
                .iter_mut()
                .find(|b| b.customer.id == r.customer_id)
                .and_then(|b| b.instruments.iter_mut().find(|i| i.id == r.instrument_id))
            {
                i.available += r.quantity.get(); // release the hold
            }
            Ok(r)
        }))
    }

    fn kiosk_identify(&self, body: KioskIdentify) -> Fut<'_, OtpSent> {
        Self::ready(self.call(|s| {
            let lookup = classify(
                &body.query,
                s.policy.country_calling_code,
                Searcher::SelfService,
            )
            .map_err(|e| BackendError::Problem(e.into()))?;
            let asha = &s.customers[0].customer;
            if !lookup.keys().into_iter().any(|k| is_asha(k, asha)) {
                return Err(problem(ErrorCode::CustomerNotFound));
            }
            let now = platform::now_ms();
            s.kiosk_pending = Some("cus-asha".into());
            Ok(OtpSent {
                channel: body.channel.unwrap_or(Channel::Sms),
                destination: "+91 ••••••3210".into(),
                expires_at_ms: now + i64::from(s.policy.otp_ttl_secs) * 1000,
                resend_after_ms: now + i64::from(s.policy.resend_cooldown_secs) * 1000,
                attempts_left: s.policy.max_verify_attempts.saturating_sub(s.kiosk_failed),
                amount_first: None,
                delivery: None,
            })
        }))
    }

    fn kiosk_verify(&self, body: Verify) -> Fut<'_, Balance> {
        Self::ready(self.call(|s| {
            let Some(customer) = s.kiosk_pending.clone() else {
                return Err(problem(ErrorCode::OtpNotSent));
            };
            if body.code.expose() != FAKE_CODE {
                s.kiosk_failed += 1;
                let left = s.policy.max_verify_attempts.saturating_sub(s.kiosk_failed);
                if left == 0 {
                    s.kiosk_pending = None;
                    return Err(problem(ErrorCode::OtpLocked));
                }
                let mut p = Problem::new(ErrorCode::OtpInvalid);
                p.attempts_left = Some(left);
                return Err(BackendError::Problem(p));
            }
            s.kiosk_pending = None;
            s.kiosk_failed = 0;
            s.kiosk_bound = Some(customer.clone());
            s.customers
                .iter()
                .find(|b| b.customer.id == customer)
                .cloned()
                .ok_or_else(|| problem(ErrorCode::CustomerNotFound))
        }))
    }

    fn kiosk_forget(&self) -> Fut<'_, ()> {
        Self::ready(self.call(|s| {
            s.kiosk_pending = None;
            s.kiosk_bound = None;
            Ok(())
        }))
    }

    fn accrue(&self, body: contract::api::CreateAccrual) -> Fut<'_, contract::api::Accrual> {
        Self::ready(self.call(|s| admin::accrue(s, body)))
    }

    fn redeem_voucher(
        &self,
        body: contract::api::RedeemVoucher,
    ) -> Fut<'_, contract::api::VoucherRedeemed> {
        Self::ready(self.call(|s| admin::redeem_voucher(s, body)))
    }

    fn admin(&self, call: AdminCall) -> Fut<'_, AdminReply> {
        Self::ready(self.call(|s| admin::admin(s, call)))
    }
}

/// Waiting for a manager: a pending request on an intent still waiting for its code.
fn pending(r: &Redemption) -> bool {
    r.status == RedemptionStatus::AwaitingOtp
        && r.approval_request
            .as_ref()
            .is_some_and(|a| a.status == ApprovalStatus::Pending)
}

/// A manager's answer to a pending request.
fn decide(r: &mut Redemption, approve: bool, manager: &str) {
    if approve {
        r.status = RedemptionStatus::Approved;
    }
    if let Some(a) = r.approval_request.as_mut() {
        a.status = if approve {
            ApprovalStatus::Approved
        } else {
            ApprovalStatus::Declined
        };
        a.decided_by = Some(manager.to_string());
    }
}

fn manager_only(s: &State) -> Result<(), BackendError> {
    match s.signed_in.as_ref().map(|st| st.role) {
        Some(Role::Manager) => Ok(()),
        _ => Err(problem(ErrorCode::Forbidden)),
    }
}

/// The value of every open hold and posted redemption on a bill.
fn redeemed_on(s: &State, bill: &contract::Bill) -> u64 {
    s.redemptions
        .values()
        .filter(|r| r.purpose.bill().is_some_and(|b| b.id() == bill.id()))
        .filter(|r| r.status.is_open() || r.status == RedemptionStatus::Committed)
        .map(|r| r.value.minor())
        .sum()
}
