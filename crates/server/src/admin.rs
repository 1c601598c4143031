//! Setting up a real store without demo mode (`redeemguard-server admin …`): a merchant and
//! its store, terminals (a token printed once) and their revocation, staff with a role and a
//! PIN, disabling them, the store's override code, and the merchant's loyalty card types and
//! the cards issued to customers (seed 004). Every change runs in one transaction
//! on the same database the server uses, so it is safe while the server runs (the server
//! drops what it cached when another process commits), and every change is audited.
//!
//! Each refusal names what to fix. Nothing secret is printed or stored in the clear: tokens
//! are printed once and kept as a hash, PINs and override codes as slow hashes.

use crate::audit::{self, Action, Actor};
use crate::crypto;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::model::{CardTypeRow, CustomerRow, MerchantRow, StaffRow, StoreRow, TerminalRow};
use crate::store::Tx;
use contract::api::{NewStaff, Role, TerminalMode};
use contract::cards::{CardIssued, IssueCard, NewCardType};
use contract::credentials;
use contract::lookup::{classify, Key, LookupError, Searcher};
use contract::policy::PolicyError;
use contract::{CallingCode, CardNumber, Currency, Email, ErrorCode, Mobile, Policy, Problem};
use serde_json::json;

/// A refusal that names what to fix.
fn refuse(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidRequest).detail(detail.into())
}

/// A name people read (merchant, store, terminal, staff): 1 to 80 characters, one line.
fn name(what: &str, value: &str) -> ApiResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(refuse(format!("give the {what}'s name")));
    }
    if v.chars().count() > 80 {
        return Err(refuse(format!(
            "the {what}'s name is longer than 80 characters"
        )));
    }
    if v.chars().any(char::is_control) {
        return Err(refuse(format!(
            "the {what}'s name has a line break or control character"
        )));
    }
    Ok(v.to_string())
}

/// What a new store is set up with (`admin create-store`'s flags).
#[derive(Clone, Debug, clap::Args)]
pub struct NewStore {
    #[arg(long)]
    pub merchant: String,
    #[arg(long)]
    pub store: String,
    /// ISO 4217 code, e.g. INR.
    #[arg(long)]
    pub currency: String,
    /// e.g. en-IN.
    #[arg(long)]
    pub locale: String,
    /// IANA time zone, e.g. Asia/Kolkata: store days (limits, reports) start at its midnight.
    #[arg(long)]
    pub time_zone: String,
    /// Calling code of the customers' mobile numbers (known for INR, IDR, USD).
    #[arg(long)]
    pub country_code: Option<u16>,
    /// Add the store to this existing merchant (its stores share customers), as `admin list`
    /// shows it; without it a new merchant is created.
    #[arg(long)]
    pub merchant_id: Option<String>,
}

/// The merchant and store made (or the merchant found by its name).
#[derive(Clone, Debug)]
pub struct StoreMade {
    pub merchant_id: String,
    pub store_id: String,
    pub merchant_is_new: bool,
}

fn locale_tag(value: &str) -> ApiResult<String> {
    let tag = value.trim();
    match crate::messages::is_locale_tag(tag) {
        true => Ok(tag.to_string()),
        false => Err(refuse(format!(
            "--locale {value:?} is not a locale tag: use e.g. en-IN, hi-IN or id-ID"
        ))),
    }
}

/// Creates a store with the default policy for its currency, locale and time zone; the
/// merchant is the one with this name if there is one, else a new one.
pub fn create_store(tx: &mut dyn Tx, now_ms: i64, req: &NewStore) -> ApiResult<StoreMade> {
    let merchant = name("merchant", &req.merchant)?;
    let store = name("store", &req.store)?;
    let currency = Currency::parse(req.currency.trim()).map_err(|_| {
        refuse(format!(
            "--currency {:?} is not a currency code: use three letters, e.g. INR",
            req.currency
        ))
    })?;
    let locale = locale_tag(&req.locale)?;
    let time_zone = req.time_zone.trim();
    if days::zone(time_zone).is_none() {
        return Err(refuse(format!(
            "--time-zone {:?} is not a time zone: use an IANA name, e.g. Asia/Kolkata",
            req.time_zone
        )));
    }
    let country = match req.country_code {
        Some(n) => CallingCode::parse(&n.to_string())
            .map_err(|e| refuse(format!("--country-code {n}: {e}")))?,
        None => match currency.code() {
            "INR" => CallingCode::INDIA,
            "IDR" => CallingCode::INDONESIA,
            "USD" => CallingCode::NANP,
            other => {
                return Err(refuse(format!(
                    "give --country-code, the calling code of your customers' mobile numbers \
                     (it is not known for {other})"
                )))
            }
        },
    };
    let stores = tx.stores()?;
    // Customers belong to the merchant: joining one shares its customers, so it is asked for
    // by id, never guessed from a name.
    let (merchant_id, merchant_is_new) = match &req.merchant_id {
        Some(id) => {
            let id = id.trim();
            let Some(s) = stores.iter().find(|s| s.merchant_id == id) else {
                return Err(refuse(format!(
                    "there is no merchant {id:?}: `admin list` shows the merchants of the stores"
                )));
            };
            if !s.merchant_name.eq_ignore_ascii_case(&merchant) {
                return Err(refuse(format!(
                    "merchant {id} is {:?}, not {merchant:?}",
                    s.merchant_name
                )));
            }
            (id.to_string(), false)
        }
        None => {
            if let Some(s) = stores
                .iter()
                .find(|s| s.merchant_name.eq_ignore_ascii_case(&merchant))
            {
                return Err(refuse(format!(
                    "a merchant named {:?} exists ({}): to add a store of it (sharing its customers) give --merchant-id {}; for another business choose another name",
                    s.merchant_name, s.merchant_id, s.merchant_id
                )));
            }
            (crypto::new_id("m"), true)
        }
    };
    if stores
        .iter()
        .any(|s| s.merchant_id == merchant_id && s.name.eq_ignore_ascii_case(&store))
    {
        return Err(refuse(format!(
            "{merchant} already has a store named {store}: choose another name"
        )));
    }
    let merchant = match merchant_is_new {
        true => merchant,
        false => stores
            .iter()
            .find(|s| s.merchant_id == merchant_id)
            .map(|s| s.merchant_name.clone())
            .unwrap_or(merchant),
    };
    if merchant_is_new {
        tx.insert_merchant(&MerchantRow {
            id: merchant_id.clone(),
            name: merchant.clone(),
        })?;
    }
    let mut policy = Policy::default_for(currency, &locale, country);
    policy.time_zone = time_zone.to_string();
    policy
        .validate()
        .map_err(|e| refuse(format!("the store's policy would not be valid: {e}")))?;
    let store_id = crypto::new_id("st");
    tx.insert_store(&StoreRow {
        id: store_id.clone(),
        merchant_id: merchant_id.clone(),
        merchant_name: merchant.clone(),
        name: store.clone(),
        policy,
        override_hash: None,
    })?;
    audit::record(
        tx,
        now_ms,
        &who(None, &store_id),
        Action::StoreCreated,
        None,
        json!({ "merchant": merchant, "store": store, "currency": currency.code(),
                "locale": locale, "time_zone": time_zone }),
    )?;
    Ok(StoreMade {
        merchant_id,
        store_id,
        merchant_is_new,
    })
}

/// Who made a change, in the audit log: a manager (`by`, from the back office) or, with
/// `None`, the operator at the admin command.
fn who(by: Option<&Actor>, store_id: &str) -> Actor {
    by.cloned().unwrap_or_else(|| Actor {
        store_id: store_id.to_string(),
        terminal_id: None,
        staff_id: None,
    })
}

fn not_found(detail: String) -> ApiError {
    ApiError::new(ErrorCode::NotFound).detail(detail)
}

pub fn existing_store(tx: &mut dyn Tx, store_id: &str) -> ApiResult<StoreRow> {
    tx.store(store_id.trim())?.ok_or_else(|| {
        not_found(format!(
            "there is no store {store_id:?}: `admin list` shows the stores and their ids"
        ))
    })
}

/// A terminal just added, with its token: shown once, never stored (only its hash is).
#[derive(Clone, Debug)]
pub struct TerminalMade {
    pub terminal: TerminalRow,
    pub token: String,
}

/// Adds a till (`TerminalMode::Pos`) or a self-service kiosk to a store.
pub fn add_terminal(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    terminal_name: &str,
    mode: TerminalMode,
    by: Option<&Actor>,
) -> ApiResult<TerminalMade> {
    let store = existing_store(tx, store_id)?;
    let terminal_name = name("terminal", terminal_name)?;
    let token = crypto::new_token();
    let terminal = TerminalRow {
        id: crypto::new_id("term"),
        store_id: store.id.clone(),
        name: terminal_name,
        mode,
        token_hash: crypto::sha256_hex(token.as_bytes()),
    };
    tx.insert_terminal(&terminal)?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::TerminalAdded,
        None,
        json!({ "terminal_id": terminal.id, "name": terminal.name, "mode": mode_name(mode) }),
    )?;
    Ok(TerminalMade { terminal, token })
}

pub fn mode_name(mode: TerminalMode) -> &'static str {
    match mode {
        TerminalMode::Pos => "till",
        TerminalMode::Kiosk => "kiosk",
    }
}

/// Revokes a terminal: its token stops working at once and its sessions end.
/// A manager (`by`) revokes only their own store's terminals, and not the one they use.
pub fn revoke_terminal(
    tx: &mut dyn Tx,
    now_ms: i64,
    terminal_id: &str,
    by: Option<&Actor>,
) -> ApiResult<TerminalRow> {
    let id = terminal_id.trim();
    let missing = || {
        not_found(format!(
            "there is no terminal {terminal_id:?} in use: `admin list` shows the terminals"
        ))
    };
    if let Some(by) = by {
        if !tx.terminals_of(&by.store_id)?.iter().any(|t| t.id == id) {
            return Err(missing());
        }
        if by.terminal_id.as_deref() == Some(id) {
            return Err(refuse(
                "this is the terminal you are using: revoke it from another one",
            ));
        }
    }
    let terminal = tx.revoke_terminal(id, now_ms)?.ok_or_else(missing)?;
    audit::record(
        tx,
        now_ms,
        &who(by, &terminal.store_id),
        Action::TerminalRevoked,
        None,
        json!({ "terminal_id": terminal.id, "name": terminal.name }),
    )?;
    Ok(terminal)
}

/// A staff code as typed at the till (the rule: `contract::credentials`).
fn staff_code(value: &str) -> ApiResult<String> {
    credentials::staff_code(value).map_err(|e| refuse(e).field("code"))
}

/// A PIN: 4 to 12 digits, not one digit repeated nor a run (`contract::credentials`).
pub fn check_pin(pin: &str) -> ApiResult<()> {
    credentials::check_pin(pin).map_err(|e| refuse(e).field("pin"))
}

/// Adds a staff member with their role and PIN.
pub fn add_staff(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    new: &NewStaff,
    by: Option<&Actor>,
) -> ApiResult<StaffRow> {
    let NewStaff {
        code,
        name: staff_name,
        role,
        pin,
        mobile,
    } = new;
    let role = *role;
    let store = existing_store(tx, store_id)?;
    let code = staff_code(code)?;
    let staff_name = name("staff member", staff_name)?;
    check_pin(pin)?;
    let mobile = match mobile.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(typed) => Some(
            Mobile::parse(typed, store.policy.country_calling_code)
                .map_err(|e| refuse(e.to_string()).field("mobile"))?,
        ),
    };
    if tx.staff_code_taken(&store.id, &code)? {
        return Err(refuse(format!(
            "{} already has staff code {code} (codes of disabled staff are not reused): choose another",
            store.name
        )));
    }
    let staff = StaffRow {
        id: crypto::new_id("staff"),
        store_id: store.id.clone(),
        code,
        name: staff_name,
        role,
        pin_hash: crypto::slow_hash(pin),
        mobile,
        daily_summary: false,
    };
    tx.insert_staff(&staff)?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::StaffAdded,
        None,
        json!({ "staff_id": staff.id, "code": staff.code, "name": staff.name,
                "role": role_name(role) }),
    )?;
    Ok(staff)
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Cashier => "cashier",
        Role::Manager => "manager",
    }
}

fn active_staff(tx: &mut dyn Tx, store_id: &str, code: &str) -> ApiResult<(StoreRow, StaffRow)> {
    let store = existing_store(tx, store_id)?;
    let code = staff_code(code)?;
    let staff = tx.staff_by_code(&store.id, &code)?.ok_or_else(|| {
        not_found(format!(
            "{} has no staff member with code {code} (or they are disabled): `admin list` shows the staff",
            store.name
        ))
    })?;
    Ok((store, staff))
}

/// Disables a staff member: they cannot sign in, and their sessions end at once. The row
/// stays, so the audit log still names them.
pub fn disable_staff(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    code: &str,
    by: Option<&Actor>,
) -> ApiResult<StaffRow> {
    let (store, staff) = active_staff(tx, store_id, code)?;
    if by.and_then(|b| b.staff_id.as_deref()) == Some(staff.id.as_str()) {
        return Err(refuse(
            "you cannot disable yourself: another manager (or the admin command) can",
        ));
    }
    tx.disable_staff(&store.id, &staff.id, now_ms)?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::StaffDisabled,
        None,
        json!({ "staff_id": staff.id, "code": staff.code, "name": staff.name }),
    )?;
    Ok(staff)
}

/// Sets (or resets) a staff member's PIN; their sessions end, so the old PIN's holder is out.
pub fn set_pin(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    code: &str,
    pin: &str,
    by: Option<&Actor>,
) -> ApiResult<StaffRow> {
    check_pin(pin)?;
    let (store, staff) = active_staff(tx, store_id, code)?;
    tx.set_pin_hash(&store.id, &staff.id, &crypto::slow_hash(pin))?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::PinSet,
        None,
        json!({ "staff_id": staff.id, "code": staff.code }),
    )?;
    Ok(staff)
}

/// An override code: 8 to 12 digits, not one digit repeated nor a run
/// (`contract::credentials`).
pub fn check_override_code(code: &str) -> ApiResult<()> {
    credentials::check_override_code(code).map_err(|e| refuse(e).field("code"))
}

/// Sets or rotates the store's override code (the old one stops working at once).
pub fn set_override_code(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    code: &str,
    by: Option<&Actor>,
) -> ApiResult<StoreRow> {
    check_override_code(code)?;
    let store = existing_store(tx, store_id)?;
    tx.set_override_hash(&store.id, &crypto::slow_hash(code))?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::OverrideCodeSet,
        None,
        json!({ "rotated": store.override_hash.is_some() }),
    )?;
    Ok(store)
}

/// A refusal that names the field to fix.
fn refuse_field(field: &str, detail: impl Into<String>) -> ApiError {
    refuse(detail).field(field)
}

/// Every field of a card type to fix, at once: `invalid_request` with `errors` (field and
/// message each), the first field as `field`, and all of them in `detail`.
pub(crate) fn invalid_fields(errors: Vec<PolicyError>) -> ApiError {
    let detail = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let mut p = Problem::new(ErrorCode::InvalidRequest).detail(detail);
    if let Some(first) = errors.first() {
        p = p.field(first.field.clone());
    }
    p.errors = errors;
    ApiError::from(p)
}

/// A card type's settings as `admin add-card-type` and `change-card-type` take them.
#[derive(Clone, Debug, clap::Args)]
pub struct CardTypeFlags {
    /// What the card is called, e.g. Business.
    #[arg(long)]
    pub name: String,
    /// The customers it is for, e.g. GST.
    #[arg(long)]
    pub customer_type: String,
    /// Points a bill earns per --earn-per of its total (0 to 1,000).
    #[arg(long)]
    pub earn_points: u32,
    /// e.g. 100.00 (in the store's currency).
    #[arg(long)]
    pub earn_per: String,
    /// What one point is worth when redeemed, e.g. 1.00.
    #[arg(long)]
    pub point_value: String,
}

impl CardTypeFlags {
    /// The settings, amounts read in the store's currency.
    pub fn read(&self, tx: &mut dyn Tx, store_id: &str) -> ApiResult<NewCardType> {
        let currency = existing_store(tx, store_id)?.policy.currency;
        let money = |flag: &str, v: &str| {
            contract::Money::parse(v.trim(), currency)
                .map_err(|e| refuse(format!("--{flag} {v:?}: {e}")))
        };
        Ok(NewCardType {
            name: self.name.clone(),
            customer_type: self.customer_type.clone(),
            earn_points: self.earn_points,
            earn_per: money("earn-per", &self.earn_per)?,
            point_value: money("point-value", &self.point_value)?,
        })
    }
}

/// A card type as `admin` prints it.
pub fn describe_card_type(c: &CardTypeRow) -> String {
    use crate::messages::display_money;
    format!(
        "card type {} \"{}\" for customer type {}: {} {} per {}, a point worth {}",
        c.id,
        c.name,
        c.customer_type,
        c.earn_points,
        if c.earn_points == 1 {
            "point"
        } else {
            "points"
        },
        display_money(c.earn_per),
        display_money(c.point_value)
    )
}

/// The merchant's card types (seed 004), by name.
pub fn card_types(tx: &mut dyn Tx, store_id: &str) -> ApiResult<Vec<CardTypeRow>> {
    let store = existing_store(tx, store_id)?;
    tx.card_types_of(&store.merchant_id)
}

/// A card type's settings checked for the store (its currency) and against the merchant's
/// other card types (`except`: the one being changed): a name and a customer type are each
/// used once, whatever their case. Its name and customer type as stored.
fn checked_card_type(
    tx: &mut dyn Tx,
    store: &StoreRow,
    new: &NewCardType,
    except: Option<&str>,
) -> ApiResult<(String, String)> {
    new.validate(store.policy.currency)
        .map_err(invalid_fields)?;
    let name = new.name.trim().to_string();
    let customer_type = contract::cards::customer_type(&new.customer_type).map_err(|e| {
        invalid_fields(vec![PolicyError {
            field: "customer_type".into(),
            message: e,
        }])
    })?;
    for other in tx.card_types_of(&store.merchant_id)? {
        if Some(other.id.as_str()) == except {
            continue;
        }
        if other.name.to_lowercase() == name.to_lowercase() {
            return Err(refuse_field(
                "name",
                format!(
                    "there is a card type named {} already: choose another name (or change that one)",
                    other.name
                ),
            ));
        }
        if other.is_for(&customer_type) {
            return Err(refuse_field(
                "customer_type",
                format!(
                    "the {} card is for customer type {} already: a customer type has one card type (change that one instead)",
                    other.name, other.customer_type
                ),
            ));
        }
    }
    Ok((name, customer_type))
}

fn card_type_detail(c: &CardTypeRow) -> serde_json::Value {
    json!({
        "name": c.name, "customer_type": c.customer_type, "earn_points": c.earn_points,
        "earn_per_minor": c.earn_per.minor(), "point_value_minor": c.point_value.minor(),
        "currency": c.point_value.currency().code(),
    })
}

/// Card types are the merchant's, in every one of its stores: a store's manager changes them
/// only where the merchant has that one store (each store's audit log shows its own changes;
/// a chain's head office is issue 17). The operator (`by` none) may always.
fn card_types_are_theirs(tx: &mut dyn Tx, store: &StoreRow, by: Option<&Actor>) -> ApiResult<()> {
    if by.is_none() {
        return Ok(());
    }
    let stores = tx
        .stores()?
        .into_iter()
        .filter(|s| s.merchant_id == store.merchant_id)
        .count();
    match stores > 1 {
        false => Ok(()),
        true => Err(ApiError::new(ErrorCode::Forbidden).detail(format!(
            "Card types apply to every store of this merchant ({stores} stores), so a store's manager cannot change them: the operator does (`redeemguard-server admin add-card-type` / `change-card-type`)"
        ))),
    }
}

/// Adds a card type to the store's merchant. The points of the customers of its customer type
/// are worth its point value from now on (their points instruments are re-valued).
pub fn add_card_type(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    new: &NewCardType,
    by: Option<&Actor>,
) -> ApiResult<CardTypeRow> {
    let store = existing_store(tx, store_id)?;
    card_types_are_theirs(tx, &store, by)?;
    let (name, customer_type) = checked_card_type(tx, &store, new, None)?;
    let card = CardTypeRow {
        id: crypto::new_id("ct"),
        merchant_id: store.merchant_id.clone(),
        name,
        customer_type,
        earn_points: new.earn_points,
        earn_per: new.earn_per,
        point_value: new.point_value,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
    };
    tx.insert_card_type(&card)?;
    let revalued =
        tx.set_points_value_of_type(&store.merchant_id, &card.customer_type, card.point_value)?;
    let mut detail = card_type_detail(&card);
    detail["card_type_id"] = json!(card.id);
    detail["instruments_revalued"] = json!(revalued);
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::CardTypeAdded,
        None,
        detail,
    )?;
    Ok(card)
}

/// Changes a card type of the store's merchant. A new point value re-values the points
/// instruments of its customers at once; points already held by an open redemption keep the
/// value they were held at (the redemption's value was fixed by its hold). A new customer
/// type moves the card to that type's customers; the old type's customers are back at the
/// store's point value.
pub fn update_card_type(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    card_type_id: &str,
    new: &NewCardType,
    by: Option<&Actor>,
) -> ApiResult<CardTypeRow> {
    let store = existing_store(tx, store_id)?;
    card_types_are_theirs(tx, &store, by)?;
    let id = card_type_id.trim();
    let before = tx
        .card_type_by_id(&store.merchant_id, id)?
        .ok_or_else(|| not_found(format!("there is no card type {card_type_id:?}")))?;
    let (name, customer_type) = checked_card_type(tx, &store, new, Some(id))?;
    let after = CardTypeRow {
        name,
        customer_type,
        earn_points: new.earn_points,
        earn_per: new.earn_per,
        point_value: new.point_value,
        updated_at_ms: now_ms,
        ..before.clone()
    };
    tx.update_card_type(&after)?;
    let mut revalued = 0;
    if !before.is_for(&after.customer_type) {
        revalued += tx.set_points_value_of_type(
            &store.merchant_id,
            &before.customer_type,
            store.policy.point_value,
        )?;
    }
    revalued +=
        tx.set_points_value_of_type(&store.merchant_id, &after.customer_type, after.point_value)?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::CardTypeChanged,
        None,
        json!({
            "card_type_id": after.id, "before": card_type_detail(&before),
            "after": card_type_detail(&after), "instruments_revalued": revalued,
        }),
    )?;
    Ok(after)
}

/// The one customer of the merchant `query` names: a mobile number (read with the store's
/// calling code, as the till's search does), an e-mail, or the card number they have now.
pub(crate) fn the_customer(
    tx: &mut dyn Tx,
    store: &StoreRow,
    query: &str,
) -> ApiResult<CustomerRow> {
    let q = query.trim();
    let missing = |detail: String| {
        ApiError::new(ErrorCode::CustomerNotFound)
            .detail(detail)
            .field("customer")
    };
    let mut found = customers_matching(tx, store, q)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(missing(format!(
            "no customer has the mobile number, e-mail or card number {q:?}"
        ))),
        n => Err(missing(format!(
            "{n} customers have {q:?}: name the one you mean by their e-mail or card number"
        ))),
    }
}

/// The merchant's customers `query` names by mobile number, e-mail or card number (more than
/// one where they share it); a query that is none of these is refused, naming `customer`.
pub(crate) fn customers_matching(
    tx: &mut dyn Tx,
    store: &StoreRow,
    q: &str,
) -> ApiResult<Vec<CustomerRow>> {
    let merchant = store.merchant_id.as_str();
    if q.is_empty() {
        return Err(refuse_field(
            "customer",
            "give the customer's mobile number, e-mail or card number",
        ));
    }
    let mut found: Vec<CustomerRow> = Vec::new();
    if q.contains('@') {
        let email = Email::parse(q).map_err(|e| refuse_field("customer", format!("{q:?}: {e}")))?;
        found.extend(tx.customer_by_email(merchant, email.as_str())?);
    } else {
        let lookup = classify(q, store.policy.country_calling_code, Searcher::SelfService)
            .map_err(|e| match e {
                // A malformed mobile number: `invalid_mobile`, as at the till.
                LookupError::Mobile(_) => ApiError::from(Problem::from(e).field("customer")),
                _ => refuse_field(
                    "customer",
                    format!("{q:?}: give the customer's mobile number, e-mail or card number"),
                ),
            })?;
        for key in lookup.keys() {
            let rows = match key {
                Key::Mobile(m) => tx.customers_by_mobile(merchant, m.as_str())?,
                Key::Card(c) => tx.customers_by_card(merchant, c.as_str())?,
                Key::Name(_) => Vec::new(),
            };
            for r in rows {
                if !found.iter().any(|c| c.id == r.id) {
                    found.push(r);
                }
            }
        }
        if let (true, Some(problem)) = (found.is_empty(), lookup.problem_if_none_found()) {
            return Err(Problem::from(problem).field("customer").into());
        }
    }
    Ok(found)
}

/// Issues a card number to a customer of the store's merchant (replacing the one they had),
/// and sets their customer type if one is given. Their points are then worth their card
/// type's point value, if their customer type has a card type, else the store's.
pub fn issue_card(
    tx: &mut dyn Tx,
    now_ms: i64,
    store_id: &str,
    req: &IssueCard,
    by: Option<&Actor>,
) -> ApiResult<CardIssued> {
    let store = existing_store(tx, store_id)?;
    let merchant = store.merchant_id.clone();
    let customer = the_customer(tx, &store, &req.customer)?;
    let card = CardNumber::parse(req.card.trim())
        .map_err(|e| refuse_field("card", format!("{:?}: {e}", req.card)))?;
    if let Some(other) = tx
        .customers_by_card(&merchant, card.as_str())?
        .into_iter()
        .find(|c| c.id != customer.id)
    {
        return Err(refuse_field(
            "card",
            format!(
                "card {} belongs to another customer ({}): choose another number",
                card.as_str(),
                other.name
            ),
        ));
    }
    // The till and the kiosk read a number typed as a card or as a mobile: a card that reads
    // as another customer's mobile would make both of them ambiguous to find.
    if let Ok(m) = Mobile::parse(card.as_str(), store.policy.country_calling_code) {
        if let Some(other) = tx
            .customers_by_mobile(&merchant, m.as_str())?
            .into_iter()
            .find(|c| c.id != customer.id)
        {
            return Err(refuse_field(
                "card",
                format!(
                    "card {} is also another customer's mobile number ({}): the till could not tell them apart; choose another number",
                    card.as_str(),
                    other.name
                ),
            ));
        }
    }
    let customer_type = match &req.customer_type {
        None => customer.customer_type.clone(),
        Some(t) => {
            let t =
                contract::cards::customer_type(t).map_err(|e| refuse_field("customer_type", e))?;
            // Spelt as the card type of that type spells it, if there is one.
            Some(match tx.card_type_for(&merchant, &t)? {
                Some(c) => c.customer_type,
                None => t,
            })
        }
    };
    tx.set_customer_card(
        &merchant,
        &customer.id,
        Some(card.as_str()),
        customer_type.as_deref(),
    )?;
    let theirs = CustomerRow {
        customer_type: customer_type.clone(),
        ..customer.clone()
    };
    let card_type = crate::cards::of_customer(tx, &theirs, &store.policy)?;
    let value = card_type
        .as_ref()
        .map_or(store.policy.point_value, |c| c.point_value);
    let revalued = tx.set_points_value(&customer.id, value)?;
    audit::record(
        tx,
        now_ms,
        &who(by, &store.id),
        Action::CardIssued,
        None,
        json!({
            "customer_id": customer.id, "card": card.as_str(),
            "previous_card": customer.card.as_ref().map(CardNumber::as_str),
            "customer_type": customer_type, "previous_customer_type": customer.customer_type,
            "card_type_id": card_type.as_ref().map(|c| c.id.as_str()),
            "instruments_revalued": revalued,
        }),
    )?;
    Ok(CardIssued {
        customer_id: customer.id,
        customer_name: customer.name,
        card: card.as_str().to_string(),
        customer_type,
        card_type: card_type.map(|c| c.name),
        // The operator's command sends nothing; the back office's route welcomes.
        welcome: None,
    })
}

/// What is set up, for `admin list` (no secrets).
#[derive(Clone, Debug)]
pub struct Overview {
    pub stores: Vec<(StoreRow, Vec<TerminalRow>, Vec<StaffRow>)>,
    /// Each merchant's card types.
    pub card_types: Vec<(String, Vec<CardTypeRow>)>,
}

pub fn overview(tx: &mut dyn Tx) -> ApiResult<Overview> {
    let mut stores = Vec::new();
    let mut card_types: Vec<(String, Vec<CardTypeRow>)> = Vec::new();
    for s in tx.stores()? {
        let terminals = tx.terminals_of(&s.id)?;
        let staff = tx.staff_of(&s.id)?;
        if !card_types.iter().any(|(m, _)| *m == s.merchant_id) {
            card_types.push((s.merchant_id.clone(), tx.card_types_of(&s.merchant_id)?));
        }
        stores.push((s, terminals, staff));
    }
    Ok(Overview { stores, card_types })
}

impl std::fmt::Display for Overview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.stores.is_empty() {
            return writeln!(
                f,
                "No store yet: create one with `redeemguard-server admin create-store`."
            );
        }
        for (s, terminals, staff) in &self.stores {
            writeln!(
                f,
                "store {} \"{}\" of {} ({}) ({}, {}, {}); override code {}",
                s.id,
                s.name,
                s.merchant_name,
                s.merchant_id,
                s.policy.currency.code(),
                s.policy.locale,
                s.policy.time_zone,
                if s.override_hash.is_some() {
                    "set"
                } else {
                    "not set"
                }
            )?;
            for t in terminals {
                writeln!(
                    f,
                    "  terminal {} \"{}\" ({})",
                    t.id,
                    t.name,
                    mode_name(t.mode)
                )?;
            }
            for p in staff {
                writeln!(
                    f,
                    "  staff {} \"{}\" ({})",
                    p.code,
                    p.name,
                    role_name(p.role)
                )?;
            }
            let of_merchant = self
                .card_types
                .iter()
                .filter(|(m, _)| *m == s.merchant_id)
                .flat_map(|(_, c)| c);
            for c in of_merchant {
                writeln!(f, "  {} (the merchant's)", describe_card_type(c))?;
            }
        }
        Ok(())
    }
}

/// Whether someone can use the server: some store has a terminal and staff. (A new or
/// closing store of a chain must not take every other store's tills out of service.)
pub fn ready(tx: &mut dyn Tx) -> ApiResult<bool> {
    for s in tx.stores()? {
        if !tx.terminals_of(&s.id)?.is_empty() && !tx.staff_of(&s.id)?.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What a server starting on a database tells the operator to do next, if anything.
pub fn next_step(tx: &mut dyn Tx) -> ApiResult<Option<String>> {
    let o = overview(tx)?;
    if o.stores.is_empty() {
        return Ok(Some(
            "this database has no store yet: nothing can sign in. Set one up with \
             `redeemguard-server admin --db <this file> create-store …`, then `add-terminal` \
             and `add-staff` (see the README, \"Run a real store\")"
                .into(),
        ));
    }
    for (s, terminals, staff) in &o.stores {
        if terminals.is_empty() {
            return Ok(Some(format!(
                "store {} has no terminal: add one with `redeemguard-server admin add-terminal --store {} --name …`",
                s.name, s.id
            )));
        }
        if staff.is_empty() {
            return Ok(Some(format!(
                "store {} has no staff: add a manager with `redeemguard-server admin add-staff --store {} --code … --name … --role manager`",
                s.name, s.id
            )));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_pins_and_codes_are_refused_with_the_reason() {
        for pin in ["4821", "907316", "12349876"] {
            assert!(check_pin(pin).is_ok(), "{pin}");
        }
        let why = |r: ApiResult<()>| r.unwrap_err().problem.detail.unwrap_or_default();
        assert_eq!(why(check_pin("123")), "a PIN is 4 to 12 digits");
        assert_eq!(why(check_pin("12a4")), "a PIN is 4 to 12 digits");
        for easy in ["1234", "0000", "98765", "3456789"] {
            assert!(why(check_pin(easy)).contains("too easy to guess"), "{easy}");
        }
        assert!(check_override_code("24681357").is_ok());
        assert_eq!(
            why(check_override_code("2468")),
            "an override code is 8 to 12 digits"
        );
        assert!(why(check_override_code("11111111")).contains("too easy to guess"));
    }

    /// A manager's mobile, typed in the store's country, is kept in E.164 and is where the
    /// store's alerts go; a cashier's, a disabled manager's and a manager without one are not.
    #[tokio::test]
    async fn alerts_go_to_the_mobiles_of_the_store_s_managers_still_in_service() {
        let dir = tempfile::tempdir().unwrap();
        let key = crypto::AuditKey::new(vec![3; 32]).unwrap();
        let store = crate::store::sqlite::SqliteStore::open(
            &dir.path().join("m.sqlite"),
            key,
            Default::default(),
        )
        .unwrap();
        let db = crate::store::Db::new(std::sync::Arc::new(store));
        let mobiles = db
            .run(|tx| {
                let made = create_store(
                    tx,
                    1,
                    &NewStore {
                        merchant: "Sunrise".into(),
                        store: "MG Road".into(),
                        currency: "INR".into(),
                        locale: "en-IN".into(),
                        time_zone: "Asia/Kolkata".into(),
                        country_code: None,
                        merchant_id: None,
                    },
                )?;
                let add = |tx: &mut dyn Tx, code: &str, role, mobile: Option<&str>| {
                    let new = NewStaff {
                        code: code.into(),
                        name: code.into(),
                        role,
                        pin: "583016".into(),
                        mobile: mobile.map(str::to_string),
                    };
                    add_staff(tx, 2, &made.store_id, &new, None)
                };
                let bad = add(tx, "M0", Role::Manager, Some("98765-4321x")).unwrap_err();
                assert_eq!(bad.problem.field.as_deref(), Some("mobile"));
                let m1 = add(tx, "M1", Role::Manager, Some("098765 43210"))?;
                assert_eq!(
                    m1.mobile.as_ref().map(|m| m.as_str()),
                    Some("+919876543210")
                );
                add(tx, "M2", Role::Manager, Some("+91 91234 56789"))?;
                add(tx, "M3", Role::Manager, None)?;
                add(tx, "C1", Role::Cashier, Some("9000012345"))?;
                disable_staff(tx, 3, &made.store_id, "M2", None)?;
                tx.manager_mobiles(&made.store_id)
            })
            .await
            .unwrap();
        let mobiles: Vec<&str> = mobiles.iter().map(|(_, _, m)| m.as_str()).collect();
        assert_eq!(mobiles, ["+919876543210"]);
    }

    #[test]
    fn staff_codes_and_names_are_checked() {
        assert_eq!(staff_code(" C002 ").unwrap(), "C002");
        assert!(staff_code("C 2").is_err());
        assert!(staff_code("").is_err());
        assert!(name("store", "  ").is_err());
        assert!(name("store", "a\nb").is_err());
        assert_eq!(name("store", " MG Road ").unwrap(), "MG Road");
    }
}
