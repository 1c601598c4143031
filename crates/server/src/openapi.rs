//! The OpenAPI document, generated from the handlers' annotations (collected by the same
//! route declarations the router uses) and the contract types.
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
    components(schemas(contract::Problem, contract::ErrorCode, contract::Policy, contract::policy::PolicyError)),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// The whole document: the description above, and the paths (with the schemas they use) of
/// every route in [`routes::api`], the same declarations the router is built from.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(routes::api().into_openapi());
    doc
}

pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}
