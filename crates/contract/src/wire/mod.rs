//! The contract's JSON without serde: a small parser and writer, readers for every answer and
//! writers for every request. The serde derives on the shapes stay the definition (the server
//! and the OpenAPI document use them); the tests below hold these readers and writers to
//! exactly what serde reads and writes. The browser uses this module because serde's generic
//! decoding costs the cashier's download several times more (SPEC §9).

pub mod json;
pub mod read;
pub mod write;

pub use read::{from_str, FromJson, WireError};
pub use write::{to_string, ToJson};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::*;
    use crate::error::{DeliveryFailure, DeliveryFailureReason, ErrorCode, Problem};
    use crate::instrument::{Expiring, InstrumentBalance, InstrumentKind, Unit};
    use crate::money::{Currency, Money};
    use crate::policy::{BillCap, Policy, PolicyError};
    use crate::quantity::Quantity;
    use crate::rules::{AllowedRange, Limit, Purpose};
    use crate::{Bill, BillId, CallingCode, Channel, OtpCode};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use std::fmt::Debug;

    fn inr(minor: u64) -> Money {
        Money::new(minor, Currency::INR).unwrap()
    }

    fn bill() -> Purpose {
        Purpose::Bill {
            bill: Bill::new(BillId::parse("INV-9").unwrap(), inr(250_000)).unwrap(),
        }
    }

    fn report_shapes_read() {
        use crate::reports::*;
        let day = |s: &str| StoreDate::parse(s).unwrap();
        let mut filter = ReportFilter::days(day("2027-03-01"), day("2027-03-31")).unwrap();
        let row = ReportRow {
            date: Some("2027-03-02".into()),
            at_ms: Some(7),
            time: Some("09:05".into()),
            customer_id: Some("c1".into()),
            customer_name: Some("Asha \"A\"".into()),
            cashier_id: Some("s1".into()),
            cashier_name: Some("Ravi".into()),
            terminal_id: Some("t1".into()),
            terminal_name: Some("Till 1".into()),
            instrument_kind: Some(InstrumentKind::Package),
            instrument_label: Some("Hair spa × 6".into()),
            unit: Some(Unit::Sessions),
            quantity: Some(2),
            bill_id: Some("B-1".into()),
            approved_by: Some(ApprovedBy::Override),
            redemption_id: Some("r1".into()),
            count: 1,
            points: 0,
            value: inr(300_000),
            reversed: 0,
            vouchers_taken: Some(2),
            vouchers_value: Some(inr(50_000)),
        };
        let bare = ReportRow {
            count: 1,
            value: inr(300_000),
            ..ReportRow::empty(inr(0))
        };
        let vouchers = VoucherTotals {
            issued: 1,
            issued_value: inr(1),
            redeemed: 2,
            redeemed_value: inr(2),
            expired: 3,
            expired_value: inr(3),
        };
        for kind in ReportKind::ALL {
            reads(LoyaltyReport {
                report: kind,
                filter: filter.clone(),
                rows: vec![row.clone(), bare.clone()],
                more: true,
                count: 4,
                points: 5,
                value: inr(6),
                reversed: 1,
                vouchers: vouchers.clone(),
                messages: match kind {
                    ReportKind::Cashier => vec![],
                    _ => vec![DeliveryTotals {
                        channel: Channel::Whatsapp,
                        delivered: 7,
                        failed: 2,
                        awaiting: 1,
                        disowned: 1,
                    }],
                },
            });
        }
        filter.cashier = Some("s&1".into());
        filter.terminal = Some("t1".into());
        filter.customer = Some("c1".into());
        filter.instrument = Some(InstrumentKind::GiftCard);
        for a in ApprovedBy::ALL {
            filter.approved_by = Some(a);
            reads(filter.clone());
        }
        reads(Liability {
            as_of_ms: 9,
            lines: vec![LiabilityLine {
                instrument_kind: InstrumentKind::Points,
                unit: Unit::Points,
                customers: 3,
                quantity: 12_000,
                value: inr(1_200_000),
                expiring_30: 100,
                expiring_60: 200,
                expiring_90: 300,
                expiring_30_value: inr(10_000),
                expiring_60_value: inr(20_000),
                expiring_90_value: inr(30_000),
            }],
            vouchers_outstanding: 2,
            vouchers_value: inr(500),
            total_value: inr(1_200_500),
        });
        let thresholds = FraudThresholds {
            closes_at: ClockTime::parse("01:30").unwrap(),
            ..FraudThresholds::default()
        };
        reads(CashierReport {
            from: day("2027-03-01"),
            to: day("2027-03-07"),
            thresholds,
            cashiers: vec![CashierSignals {
                staff_id: "s1".into(),
                staff_name: "Ravi".into(),
                redemptions: 10,
                value: inr(5),
                overrides: 1,
                failed_codes: 2,
                no_sale: 3,
                reversals: 4,
                after_hours: 5,
                shared_contacts: 6,
                bursts: 7,
                flagged: Signal::ALL.to_vec(),
            }],
        });
    }

    /// What serde writes, read back here, is the same value.
    fn reads<T: FromJson + Serialize + PartialEq + Debug>(x: T) {
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(from_str::<T>(&text), Ok(x), "{text}");
    }

    /// What is written here is exactly what serde writes, and serde reads it back.
    fn writes<T: ToJson + Serialize + DeserializeOwned + PartialEq + Debug>(x: T) {
        let text = to_string(&x);
        let ours: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ours, serde_json::to_value(&x).unwrap(), "{text}");
        assert_eq!(serde_json::from_str::<T>(&text).unwrap(), x);
    }

    fn instrument(kind: InstrumentKind, full: bool) -> InstrumentBalance {
        InstrumentBalance {
            id: "i1".into(),
            kind,
            label: "Hair spa × 6 \"gold\"".into(),
            unit: Unit::Sessions,
            available: 4,
            unit_value: inr(150_000),
            earned: full.then_some(6),
            expiring_soon: full.then_some(Expiring {
                quantity: 2,
                at_ms: 1_700_000_000_000,
            }),
            valid_until_ms: full.then_some(1_800_000_000_000),
        }
    }

    fn redemption(purpose: Purpose, otp: bool) -> Redemption {
        Redemption {
            id: "red-1".into(),
            status: RedemptionStatus::AwaitingOtp,
            customer_id: "cust-asha".into(),
            customer_name: "Asha Rao".into(),
            instrument_id: "pts".into(),
            instrument_kind: InstrumentKind::Points,
            instrument_label: "Points".into(),
            unit: Unit::Points,
            quantity: Quantity::new(500).unwrap(),
            value: inr(50_000),
            purpose,
            otp_required: true,
            expires_at_ms: 2,
            otp: otp.then(|| OtpSent {
                channel: Channel::Whatsapp,
                destination: "+91 ••••••3210".into(),
                expires_at_ms: 3,
                resend_after_ms: 4,
                attempts_left: 5,
                amount_first: Some(true),
                delivery: Some(Delivery {
                    status: DeliveryStatus::Failed,
                    reason: Some("DND number".into()),
                    at_ms: 6,
                }),
            }),
            created_at_ms: 1,
            approval_request: None,
        }
    }

    fn approval_request(status: ApprovalStatus, full: bool) -> ApprovalRequest {
        ApprovalRequest {
            id: "apr-1".into(),
            status,
            redemption_id: "red-1".into(),
            customer_name: "Asha \"Rao\"".into(),
            instrument_kind: InstrumentKind::Package,
            instrument_label: "Hair spa × 6".into(),
            unit: Unit::Sessions,
            quantity: Quantity::new(2).unwrap(),
            value: inr(300_000),
            bill_id: full.then(|| "INV-9".into()),
            cashier_name: "Ravi".into(),
            terminal_name: "Till 1".into(),
            reason: "SMS not delivered\nphone off".into(),
            requested_at_ms: 5,
            expires_at_ms: 6,
            decided_by: full.then(|| "Rahul Mehta".into()),
        }
    }

    #[test]
    fn unit_and_kind_names_are_the_wire_names() {
        for u in [Unit::Points, Unit::Sessions, Unit::Uses, Unit::Credit] {
            assert_eq!(serde_json::to_value(u).unwrap(), u.as_str());
        }
        for k in InstrumentKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn every_answer_reads_as_serde_writes_it() {
        let staff = StaffInfo {
            id: "s1".into(),
            name: "Meena".into(),
            role: Role::Manager,
        };
        reads(Session {
            token: "t".into(),
            expires_at_ms: -1,
            staff,
            terminal: TerminalInfo {
                id: "t1".into(),
                name: "Till 1".into(),
                mode: TerminalMode::Kiosk,
            },
            store: StoreInfo {
                id: "st".into(),
                name: "Salon".into(),
                merchant_name: "M".into(),
            },
        });
        let customer = |full: bool| CustomerSummary {
            id: "c".into(),
            name: "Asha".into(),
            masked_mobile: full.then(|| "+91 ••••••3210".into()),
            masked_email: full.then(|| "a•••@example.com".into()),
            masked_card: full.then(|| "•••• 2345".into()),
            channels: if full { Channel::ALL.to_vec() } else { vec![] },
        };
        reads(CustomerSearch {
            customers: vec![customer(true), customer(false)],
        });
        reads(Balance {
            customer: customer(true),
            instruments: InstrumentKind::ALL
                .iter()
                .map(|k| instrument(*k, *k == InstrumentKind::Package))
                .collect(),
            as_of_ms: 9,
        });
        reads(redemption(bill(), true));
        reads(redemption(Purpose::Voucher, false));
        reads(Redemption {
            approval_request: Some(approval_request(ApprovalStatus::Declined, true)),
            ..redemption(bill(), true)
        });
        reads(ApprovalList {
            requests: vec![
                approval_request(ApprovalStatus::Pending, false),
                approval_request(ApprovalStatus::Approved, true),
            ],
        });
        reads(ApprovalList { requests: vec![] });
        for approval in [
            Approval::Otp {
                channel: Channel::Email,
            },
            Approval::Override {
                manager_name: "M".into(),
                reason: "no signal".into(),
            },
            Approval::NotRequired,
        ] {
            reads(Receipt {
                redemption_id: "r".into(),
                customer_name: "Asha".into(),
                instrument_kind: InstrumentKind::GiftCard,
                instrument_label: "Gift".into(),
                unit: Unit::Credit,
                quantity: Quantity::new(1).unwrap(),
                value: inr(1),
                balance_before: 10,
                balance_after: 9,
                purpose: bill(),
                approval,
                cashier_name: "C".into(),
                terminal_name: "T".into(),
                store_name: "S".into(),
                committed_at_ms: 5,
                voucher: Some(Voucher {
                    code: "V-1".into(),
                    value: inr(5),
                    valid_until_ms: 6,
                    sent_to: Some("+91 ••••••3210".into()),
                }),
                bill_redeemed: Some(inr(7)),
            });
        }
        for status in [
            RedemptionStatus::Approved,
            RedemptionStatus::Committed,
            RedemptionStatus::Cancelled,
            RedemptionStatus::Expired,
            RedemptionStatus::Locked,
            RedemptionStatus::Reversed,
        ] {
            reads(Redemption {
                status,
                ..redemption(Purpose::Voucher, false)
            });
        }
        reads(Reversal {
            redemption_id: "r".into(),
            quantity_restored: Quantity::new(3).unwrap(),
            balance_after: 4,
            reason: "void".into(),
            reversed_at_ms: 5,
        });
        reads(Accrual {
            id: "a".into(),
            customer_id: "c".into(),
            bill_id: "b".into(),
            points: Quantity::new(3).unwrap(),
            balance_after: 4,
            at_ms: 5,
        });
        reads(AuditPage {
            entries: vec![AuditEntry {
                seq: 1,
                at_ms: 2,
                action: "commit".into(),
                store_id: "s".into(),
                terminal_id: Some("t".into()),
                staff_id: None,
                redemption_id: Some("r".into()),
                detail: "{\"a\":1}".into(),
                prev_hash: "0".repeat(64),
                hash: "f".repeat(64),
                store_hash: Some("a".repeat(64)),
            }],
            next_after: Some(1),
            store_head: Some("a".repeat(64)),
            names: vec![NameOf {
                id: "t".into(),
                name: "Till 1".into(),
            }],
        });
        reads(AuditPage {
            entries: vec![],
            next_after: None,
            store_head: None,
            names: vec![],
        });
        report_shapes_read();
        reads(RedemptionReport {
            from_ms: 1,
            to_ms: 2,
            lines: vec![ReportLine {
                instrument_kind: InstrumentKind::Campaign,
                count: 1,
                quantity: 2,
                value: inr(3),
            }],
            total_value: inr(3),
            overrides: 4,
            reversals: 5,
            failed_verifications: 6,
        });
        let staff = StaffMember {
            id: "stf1".into(),
            code: "C002".into(),
            name: "Ravi \"R\"".into(),
            role: Role::Manager,
            mobile: Some("+919800000001".into()),
            daily_summary: true,
        };
        reads(staff.clone());
        reads(StaffMember {
            mobile: None,
            daily_summary: false,
            ..staff.clone()
        });
        reads(StaffList { staff: vec![staff] });
        let till = TerminalInfo {
            id: "t1".into(),
            name: "Till 2".into(),
            mode: TerminalMode::Kiosk,
        };
        reads(TerminalList {
            terminals: vec![till.clone()],
        });
        reads(TerminalAdded {
            terminal: till,
            token: "tok".into(),
        });
        reads(crate::cards::CardTypeList {
            card_types: vec![crate::cards::CardType {
                id: "ct1".into(),
                name: "Gold".into(),
                customer_type: "GST".into(),
                earn_points: 2,
                earn_per: inr(10_000),
                point_value: inr(150),
            }],
        });
        for customer_type in [None, Some("GST".to_string())] {
            reads(crate::cards::CardIssued {
                customer_id: "c1".into(),
                customer_name: "Asha".into(),
                card: "RG1234567".into(),
                customer_type: customer_type.clone(),
                card_type: customer_type.clone(),
                welcome: customer_type.map(|_| Channel::Whatsapp),
            });
        }
        {
            use crate::outreach::*;
            reads(MessagePreview {
                recipients: 3,
                without_consent: 1,
                unreachable: 2,
                not_found: vec!["+91 98 000".into()],
                budget_left: 497,
                text: "Hi Asha, 20% off at Koramangala".into(),
                parts: 1,
            });
            for category in Category::ALL {
                reads(MessageList {
                    messages: vec![SentMessage {
                        id: "msg-1".into(),
                        at_ms: 1_700_000_000_000,
                        category,
                        channel: Channel::Sms,
                        audience: "card type Gold".into(),
                        text: "Hi {customer}".into(),
                        sent_by: "Rahul Mehta".into(),
                        recipients: 4,
                        queued: 0,
                        sent: 1,
                        delivered: 2,
                        failed: 1,
                    }],
                });
            }
            reads(Consent {
                customer_id: "c1".into(),
                customer_name: "Asha".into(),
                service: true,
                promotional: false,
            });
        }
        reads(ImportResult {
            rows: 3,
            added: 1,
            unchanged: 1,
            balances_opened: 2,
            errors: vec![
                ImportProblem {
                    row: 2,
                    column: Some("mobile".into()),
                    message: "not a mobile".into(),
                },
                ImportProblem {
                    row: 3,
                    column: None,
                    message: "two customers".into(),
                },
            ],
            dry_run: true,
        });
        reads(VoucherRedeemed {
            code: "RGV-ABCD-EFGH-JKLM".into(),
            value: inr(50_000),
            customer_name: "Asha".into(),
            bill_id: "B1".into(),
            redeemed_at_ms: 5,
            bill_redeemed: inr(60_000),
        });
    }

    #[test]
    fn policies_read_and_write_as_serde_does() {
        let mut p = Policy::default();
        reads(p.clone());
        writes(p.clone());
        p.max_redeem_per_bill = Some(BillCap::Percent { percent: 20 });
        p.channels = vec![Channel::Sms, Channel::Email];
        reads(p.clone());
        writes(p.clone());
        p.max_redeem_per_bill = Some(BillCap::Absolute { value: inr(90_000) });
        p.currency = Currency::INR;
        p.country_calling_code = CallingCode::INDONESIA;
        reads(p.clone());
        writes(p);
        // An answer that breaks a bound is not a policy, here as with serde.
        let mut v = serde_json::to_value(Policy::default()).unwrap();
        v["otp_ttl_secs"] = 5.into();
        assert!(from_str::<Policy>(&v.to_string()).is_err());
    }

    #[test]
    fn every_problem_reads_as_serde_writes_it() {
        for code in ErrorCode::ALL {
            reads(Problem::new(*code));
        }
        let mut p = Problem::new(ErrorCode::ExceedsBill)
            .detail("At most 500")
            .field("quantity")
            .attempts_left(2)
            .retry_after(30)
            .allowed(AllowedRange {
                min: 50,
                max: 500,
                limited_by: Limit::BillCap,
                unit_value: inr(100),
            })
            .delivery_failure(DeliveryFailure {
                channel: Channel::Sms,
                reason: DeliveryFailureReason::GatewayError,
            });
        p.errors = vec![PolicyError {
            field: "templates.sms".into(),
            message: "must contain {otp}".into(),
        }];
        reads(p);
        // A problem from another server without the optional members.
        let minimal = r#"{"type":"about:blank","title":"Gone","status":410,"code":"otp_expired"}"#;
        assert_eq!(
            from_str::<Problem>(minimal).unwrap().code,
            ErrorCode::OtpExpired
        );
    }

    #[test]
    fn every_request_writes_as_serde_does() {
        writes(SignIn {
            staff_code: "C001".into(),
            pin: "12\"34".into(),
        });
        for purpose in [bill(), Purpose::Voucher] {
            writes(CreateRedemption {
                customer_id: "c".into(),
                instrument_id: "i".into(),
                quantity: Quantity::new(500).unwrap(),
                purpose,
            });
        }
        writes(SendOtp {
            channel: Channel::Whatsapp,
        });
        writes(Verify {
            code: OtpCode::parse("123456", crate::OtpLength::DEFAULT).unwrap(),
        });
        writes(Override {
            manager_code: "M001".into(),
            manager_pin: "9999".into(),
            override_code: "2468".into(),
            reason: "no network\nat all".into(),
        });
        for channel in [None, Some(Channel::Email)] {
            writes(KioskIdentify {
                query: "98765 43210".into(),
                channel,
            });
        }
        writes(Reverse {
            reason: "returned".into(),
        });
        writes(RequestApproval {
            reason: "SMS not delivered \"at all\"".into(),
        });
        writes(CreateAccrual {
            customer_id: "c".into(),
            bill: Bill::new(BillId::parse("B1").unwrap(), inr(100)).unwrap(),
        });
        for role in [Role::Cashier, Role::Manager] {
            writes(NewStaff {
                code: "C9".into(),
                name: "Meera".into(),
                role,
                pin: "4821".into(),
                mobile: None,
            });
            writes(NewStaff {
                code: "C9".into(),
                name: "Meera".into(),
                role,
                pin: "4821".into(),
                mobile: Some("98000 00001".into()),
            });
        }
        writes(NewPin { pin: "4821".into() });
        writes(RedeemVoucher {
            code: "rgv abcd efgh jklm".into(),
            bill: Bill::new(BillId::parse("B1").unwrap(), inr(100_000)).unwrap(),
        });
        for mode in [TerminalMode::Pos, TerminalMode::Kiosk] {
            writes(NewTerminal {
                name: "Till \"3\"".into(),
                mode,
            });
        }
        for daily_summary in [true, false] {
            writes(DailySummary { daily_summary });
        }
        writes(NewOverrideCode {
            code: "48213579".into(),
        });
        writes(crate::cards::NewCardType {
            name: "Gold".into(),
            customer_type: "GST".into(),
            earn_points: 2,
            earn_per: inr(10_000),
            point_value: inr(150),
        });
        for customer_type in [None, Some("Normal".to_string())] {
            writes(crate::cards::IssueCard {
                customer: "+919876543210".into(),
                card: "RG1234567".into(),
                customer_type,
            });
        }
        use crate::outreach::*;
        for (customers, card_type) in [
            (vec!["+919876543210".to_string(), "RG \"12\"".into()], None),
            (vec![], Some("ct-1".to_string())),
        ] {
            writes(NewMessage {
                category: Category::Promotional,
                channel: Channel::Whatsapp,
                customers,
                card_type,
                text: "Hi {customer}, 20% off at {store}\n– this week".into(),
            });
        }
        writes(SetConsent {
            customer: "asha@example.com".into(),
            service: true,
            promotional: false,
        });
    }

    #[test]
    fn answers_that_break_the_contract_are_refused() {
        let v = serde_json::to_value(redemption(bill(), false)).unwrap();
        let refused = |change: &dyn Fn(&mut serde_json::Value), why: &str| {
            let mut bad = v.clone();
            change(&mut bad);
            let text = bad.to_string();
            assert!(
                serde_json::from_str::<Redemption>(&text).is_err(),
                "serde takes {why}"
            );
            assert!(from_str::<Redemption>(&text).is_err(), "we take {why}");
        };
        refused(
            &|v| v["purpose"]["bill"]["total"]["minor"] = 0.into(),
            "a zero bill",
        );
        refused(&|v| v["quantity"] = 0.into(), "a zero quantity");
        refused(&|v| v["value"]["minor"] = (-1).into(), "a negative value");
        refused(
            &|v| v["value"]["currency"] = "rupee".into(),
            "a bad currency",
        );
        refused(&|v| v["status"] = "paid".into(), "an unknown status");
        refused(
            &|v| v["purpose"]["kind"] = "cash".into(),
            "an unknown purpose",
        );
        refused(&|v| v["otp_required"] = "yes".into(), "a string for a bool");
        refused(&|v| v["quantity"] = 2.5.into(), "a fraction");
        refused(
            &|v| {
                v.as_object_mut().unwrap().remove("customer_id");
            },
            "a missing field",
        );
        refused(
            &|v| v["customer_id"] = serde_json::Value::Null,
            "a null field",
        );
        assert!(from_str::<Redemption>("<html>").is_err());
    }
}
