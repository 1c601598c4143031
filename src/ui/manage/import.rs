//! Customer import: a customer master as a CSV file, checked first (nothing written; every
//! problem named by row and column), then imported. Customers already there are left as they
//! are, so importing the same file again changes nothing; no message goes to anyone.

use super::field_error;
use crate::flow::{Action, Form, Manage};
use crate::ui::driver::ctx;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Reads the chosen file's text, then asks the flow to check it.
fn read_and_check(input: web_sys::HtmlInputElement) {
    let ctx = ctx();
    let Some(file) = input.files().and_then(|l| l.get(0)) else {
        ctx.dispatch(Action::Manage(Manage::ForgetImport));
        return;
    };
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = match JsFuture::from(file.text()).await {
            Ok(t) => t.as_string().unwrap_or_default(),
            Err(_) => String::new(),
        };
        ctx.dispatch(Action::Manage(Manage::CheckImport {
            name,
            csv: text.into(),
        }));
    });
}

#[component]
pub fn ImportScreen() -> impl IntoView {
    let ctx = ctx();
    let busy = ctx.busy();
    let report = ctx.sel(|f| f.ui.manage.report.clone());
    let file = ctx.sel(|f| f.ui.manage.file.as_ref().map(|f| f.0.clone()));
    let importable = ctx.sel(|f| f.ui.manage.importable());
    let file_error = field_error(Form::Import, "file");
    let input = NodeRef::<leptos::html::Input>::new();
    view! {
        <section class="rg-card">
            <h2 id="screen-title" tabindex="-1">"Import customers"</h2>
            <p class="rg-muted">
                "Bring in your customer list with their opening balances from a CSV file (a spreadsheet saved as CSV, first row the column names). The file is checked first and nothing is written until you press Import. Customers already here (the same mobile, card or e-mail) are left as they are, so importing a file twice changes nothing. No messages are sent to customers."
            </p>
            <details>
                <summary>"Columns the file may have"</summary>
                <p class="rg-hint">{contract::api::IMPORT_COLUMNS.join(", ")}</p>
                <p class="rg-hint">"Only name is required, with a mobile, card or e-mail to find the customer by. Dates as 2027-03-31; amounts as 250.00."</p>
            </details>
            <label for="import-file">"Customer file (CSV)"</label>
            <input
                type="file"
                id="import-file"
                accept=".csv,text/csv"
                aria-describedby="import-file-error"
                node_ref=input
                disabled=move || busy.get()
                on:change=move |ev| {
                    if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        read_and_check(i);
                    }
                }
            />
            <p class="rg-field-msg" id="import-file-error">{move || file_error.get()}</p>
            {move || report.get().map(|r| {
                let title = match (r.dry_run, r.errors.is_empty()) {
                    (_, false) => "Problems in the file",
                    (true, true) => "Checked: ready to import",
                    (false, true) => "Imported",
                };
                let shown = file.get().unwrap_or_default();
                view! {
                    <div class="rg-report" data-testid="import-report" data-ok=r.errors.is_empty().to_string()>
                        <h3>{title}</h3>
                        <p data-testid="import-summary">{crate::flow::import_summary(&r)}</p>
                        {(!shown.is_empty()).then(|| view! { <p class="rg-hint">{format!("File: {shown}")}</p> })}
                        {(!r.errors.is_empty()).then(|| view! {
                            <table class="rg-table" data-testid="import-errors">
                                <caption class="rg-sr-only">"Problems to fix, by row and column"</caption>
                                <thead><tr><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"What to fix"</th></tr></thead>
                                <tbody>
                                    {r.errors.iter().take(200).map(|e| view! {
                                        <tr data-testid="import-error">
                                            <td>{e.row}</td>
                                            <td>{e.column.clone().unwrap_or_else(|| "—".into())}</td>
                                            <td>{e.message.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {(r.errors.len() > 200).then(|| view! {
                                <p class="rg-hint">{format!("…and {} more: fix these first.", r.errors.len() - 200)}</p>
                            })}
                        })}
                    </div>
                }
            })}
            <div class="rg-actions">
                <button
                    class="rg-btn rg-primary"
                    data-testid="import-now"
                    disabled=move || busy.get() || !importable.get()
                    on:click=move |_| ctx.dispatch(Action::Manage(Manage::Import))
                >
                    {move || match report.get() {
                        Some(r) if importable.get() => format!("Import {} customers", r.added),
                        _ => "Import".to_string(),
                    }}
                </button>
            </div>
        </section>
    }
}
