//! `paydesk channel …`, `paydesk send` and `paydesk deliveries`: messages to customers.

use clap::{Args, Subcommand};
use paydesk::core::MessageKind;
use paydesk::{Engine, EngineError, NewChannel, SendRequest};
use serde_json::json;

use crate::input::*;
use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum ChannelCmd {
    /// Add a delivery channel (its secrets go to the OS keyring).
    Add(Box<ChannelAdd>),
    /// Change a channel's settings, given whole as for add (same name and kind); keys
    /// given with --secret-stdin replace those in the keyring, the others are kept.
    Edit(Box<ChannelAdd>),
    List,
    /// SMTP logs in, Twilio checks its keys; with --to, a test message is sent there.
    Test {
        name: String,
        #[arg(long)]
        to: Option<String>,
    },
    Remove {
        name: String,
    },
}

#[derive(Args)]
pub(crate) struct ChannelAdd {
    #[command(flatten)]
    pub(crate) channel: NewChannel,
    /// Read KEY=VALUE lines (password=…, api_key=…) from stdin into the OS keyring.
    #[arg(long)]
    pub(crate) secret_stdin: bool,
}

#[derive(Args)]
pub(crate) struct SendArgs {
    pub(crate) id: String,
    /// sms, alimtalk, email or provider.
    #[arg(long, required_unless_present = "again")]
    pub(crate) via: Option<String>,
    /// Send the link again the way it last went (same way, channel, recipient, language).
    #[arg(long, conflicts_with_all = ["via", "channel", "to", "lang", "preview", "refund_claim"])]
    pub(crate) again: bool,
    #[arg(long)]
    pub(crate) channel: Option<String>,
    /// The phone number or e-mail address (default: the invoice's customer's).
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// ko, en or ja (default: from the phone number, else ko).
    #[arg(long)]
    pub(crate) lang: Option<String>,
    /// Show exactly what would be sent (with the SMS byte count) and send nothing.
    #[arg(long)]
    pub(crate) preview: bool,
    /// Send the refund's claim link (BTCPay: where the customer receives the money)
    /// instead of the link to pay; by SMS or e-mail.
    #[arg(long)]
    pub(crate) refund_claim: bool,
}

/// Adds a channel, or changes one (`edit`), with the keys read from stdin.
async fn save_channel(
    engine: &Engine,
    c: ChannelAdd,
    edit: bool,
    json: bool,
) -> Result<(), EngineError> {
    let secrets = if c.secret_stdin {
        read_secrets()?
    } else {
        Vec::new()
    };
    let channel = NewChannel {
        secrets,
        ..c.channel
    };
    let view = if edit {
        engine.edit_channel(channel).await?
    } else {
        engine.add_channel(channel).await?
    };
    if json {
        print_json(&view);
    } else {
        let done = if edit { "changed" } else { "added" };
        say!("Channel {} ({}) {done}.", view.name, view.kind);
        print_channels(std::slice::from_ref(&view));
    }
    Ok(())
}

pub(crate) async fn channel(
    engine: &Engine,
    cmd: ChannelCmd,
    json: bool,
) -> Result<(), EngineError> {
    match cmd {
        ChannelCmd::Add(c) => save_channel(engine, *c, false, json).await?,
        ChannelCmd::Edit(c) => save_channel(engine, *c, true, json).await?,
        ChannelCmd::List => {
            let list = engine.channels().await?;
            answer(json, &list);
        }
        ChannelCmd::Test { name, to } => {
            let reply = engine.test_channel(&name, to.as_deref()).await?;
            answer(
                json,
                &Said {
                    json: json!({ "channel": name, "ok": true, "message": reply }),
                    text: format!("{name}: {reply}"),
                },
            );
        }
        ChannelCmd::Remove { name } => {
            engine.remove_channel(&name).await?;
            answer(
                json,
                &Said {
                    json: json!({ "removed": name }),
                    text: format!(
                        "Channel {name} removed (its secrets were deleted from the keyring)."
                    ),
                },
            );
        }
    }
    Ok(())
}

pub(crate) async fn send(engine: &Engine, a: SendArgs, json: bool) -> Result<(), EngineError> {
    let what = if a.refund_claim {
        MessageKind::RefundClaim
    } else {
        MessageKind::Link
    };
    if a.again {
        let d = engine.resend(&a.id).await?;
        answer(json, &d);
        return Ok(());
    }
    let via = a.via.unwrap_or_default();
    if a.preview {
        let p = engine
            .preview_message_of(&a.id, what, &via, a.lang.as_deref())
            .await?;
        answer(json, &p);
        return Ok(());
    }
    let d = engine
        .send(SendRequest {
            invoice: a.id,
            via,
            channel: a.channel,
            to: a.to,
            lang: a.lang,
            what,
        })
        .await?;
    answer(json, &d);
    Ok(())
}

pub(crate) async fn deliveries(
    engine: &Engine,
    id: Option<&str>,
    json: bool,
) -> Result<(), EngineError> {
    let list = engine.deliveries(id).await?;
    answer(json, &list);
    Ok(())
}
