//! One test per security rule of SPEC §6 (S1–S12), over real HTTP; each test is named for its rule.

mod approvals;
mod audit;
mod bills_and_days;
mod codes;
mod guessing;
mod ledger_and_access;
mod rules_agree;
