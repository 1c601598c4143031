//! The channel a customer's code goes by: chosen with the quantity (the hold sends it at
//! once) and again for a resend. The customer's channels come first in the order the backend
//! gives them (the one they last read a code on first), so the first is preselected.

use crate::flow::Flow;
use crate::ui::driver::Ctx;
use contract::Channel;
use leptos::prelude::*;

/// The chosen channel: `initial` if the customer has it, else their first; kept valid when
/// the customer's channels arrive (after a resume).
pub fn chosen_channel(ctx: Ctx, initial: Option<Channel>) -> RwSignal<Channel> {
    let channels = ctx.sel(Flow::channels);
    let first = ctx.flow.with_untracked(|f| {
        let list = f.channels();
        initial
            .filter(|c| list.contains(c))
            .or(list.first().copied())
            .unwrap_or(Channel::Sms)
    });
    let channel = RwSignal::new(first);
    Effect::new(move |_| {
        let list = channels.get();
        if !list.is_empty() && !list.contains(&channel.get_untracked()) {
            channel.set(list[0]);
        }
    });
    channel
}

/// "Send the code by": one radio per channel, with the masked number or address it goes to.
#[component]
pub fn ChannelChoice(
    ctx: Ctx,
    channel: RwSignal<Channel>,
    /// "Send the code by", or for a resend "Send a new code by".
    legend: &'static str,
) -> impl IntoView {
    let channels = ctx.sel(Flow::channels);
    let customer = ctx.sel(|f| f.customer().cloned());
    let destination = move |c: Channel| {
        customer
            .get()
            .and_then(|cu| {
                if c.uses_mobile() {
                    cu.masked_mobile
                } else {
                    cu.masked_email
                }
            })
            .unwrap_or_default()
    };
    view! {
        <fieldset class="rg-channels">
            <legend>{legend}</legend>
            {move || {
                channels
                    .get()
                    .into_iter()
                    .map(|c| {
                        let id = format!("channel-{}", c.as_str());
                        let for_id = id.clone();
                        view! {
                            <label class="rg-choice" for=for_id>
                                <input
                                    type="radio"
                                    name="channel"
                                    id=id.clone()
                                    value=c.as_str()
                                    prop:checked=move || channel.get() == c
                                    on:change=move |_| channel.set(c)
                                />
                                <span>{c.label()}</span>
                                <span class="rg-muted">{move || destination(c)}</span>
                            </label>
                        }
                    })
                    .collect_view()
            }}
        </fieldset>
    }
}
