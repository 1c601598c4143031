//! Screens: thin Leptos components over [`crate::flow`].
use leptos::prelude::*;

#[derive(Clone, Default)]
pub struct AppConfig {}

#[component]
pub fn App() -> impl IntoView {
    view! { <main></main> }
}

pub fn mount_app() {}
