//! RedeemGuard's browser app (placeholder shell; the flows arrive with issue 4).
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    view! { <main class="rg-shell"><h1>"RedeemGuard"</h1><p>"Loyalty redemption, verified by the customer."</p></main> }
}
