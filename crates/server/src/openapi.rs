//! The OpenAPI document, generated from the handlers' annotations and the contract types.
//! The committed copy (crates/server/openapi.json) is checked against it by a test;
//! regenerate with `redeemguard-server openapi > crates/server/openapi.json`.

use crate::routes;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "terminal",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                contract::api::TERMINAL_HEADER,
                "The per-terminal token",
            ))),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The staff session token from POST /v1/sessions"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "RedeemGuard backend contract",
        version = "1",
        description = "OTP-verified loyalty redemption for browser point-of-sale systems. Errors are RFC 9457 \
                       application/problem+json documents with a stable `code`. Times are Unix milliseconds."
    ),
    paths(
        routes::sign_in, routes::sign_out, routes::get_policy, routes::put_policy,
        routes::search_customers, routes::balance, routes::create_redemption, routes::get_redemption,
        routes::send_otp, routes::verify, routes::override_otp, routes::commit, routes::cancel,
        routes::reverse, routes::accrue, routes::kiosk_identify, routes::kiosk_verify,
        routes::kiosk_forget, routes::report, routes::audit, routes::openapi,
    ),
    components(schemas(contract::Problem, contract::ErrorCode, contract::Policy, contract::policy::PolicyError)),
    modifiers(&Security)
)]
pub struct ApiDoc;

pub fn document_json() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
