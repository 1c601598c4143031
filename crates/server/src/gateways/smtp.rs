//! E-mail over SMTP (lettre): STARTTLS on 587 or TLS on 465, credentials from the
//! environment. The message goes as text and as HTML; the HTML part escapes the whole text,
//! so a customer's or store's name can never become markup.

use super::OutgoingMessage;
use super::{
    secret_from_env, with_retries, worst_case, Accepted, DeliveryError, EnvLookup, Gateway,
};
use crate::messages::html_escape;
use async_trait::async_trait;
use contract::DeliveryFailureReason;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to this machine (a local relay, a test sink) unless
    /// `allow_insecure = true`.
    None,
}

/// `[gateways.email]` with `type = "smtp"`, as written in the file.
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SmtpGatewayFile {
    pub host: String,
    /// [default: 587 for starttls, 465 for tls, 25 for none]
    pub port: Option<u16>,
    pub tls: SmtpTls,
    /// Environment variables holding the account (both or neither).
    pub username_env: Option<String>,
    pub password_env: Option<String>,
    /// `Loyalty <loyalty@example.com>`
    pub from: String,
    /// Per attempt [default: 8000].
    pub timeout_ms: Option<u64>,
    /// 1–3 [default: 1]. Only a refused connection and a temporary (4xx) answer are retried.
    pub attempts: Option<u8>,
    #[serde(default)]
    pub allow_insecure: bool,
}

pub struct SmtpGateway {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    attempts: u8,
    host: String,
}

impl SmtpGateway {
    pub const DEFAULT_TIMEOUT_MS: u64 = 8_000;

    pub fn from_file(
        f: &SmtpGatewayFile,
        env: EnvLookup<'_>,
        at: &str,
    ) -> Result<SmtpGateway, String> {
        let host = f.host.trim().to_string();
        if host.is_empty() {
            return Err(format!("{at} host: empty"));
        }
        let from: Mailbox = f
            .from
            .parse()
            .map_err(|e| format!("{at} from: not an address ({e})"))?;
        let timeout_ms = f.timeout_ms.unwrap_or(Self::DEFAULT_TIMEOUT_MS);
        if !(100..=30_000).contains(&timeout_ms) {
            return Err(format!(
                "{at} timeout_ms: {timeout_ms} is not within 100–30000"
            ));
        }
        let attempts = f.attempts.unwrap_or(1);
        if !(1..=3).contains(&attempts) {
            return Err(format!("{at} attempts: {attempts} is not within 1–3"));
        }
        let credentials = match (&f.username_env, &f.password_env) {
            (Some(u), Some(p)) => Some(Credentials::new(
                secret_from_env(env, &format!("{at} username_env"), u)?,
                secret_from_env(env, &format!("{at} password_env"), p)?,
            )),
            (None, None) => None,
            _ => {
                return Err(format!(
                    "{at}: give both username_env and password_env, or neither"
                ))
            }
        };
        let local = super::http::is_loopback(&host);
        super::install_tls_provider();
        let builder = match f.tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)
                .map_err(|e| format!("{at}: cannot set up TLS ({e})"))?
                .port(f.port.unwrap_or(587)),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&host)
                .map_err(|e| format!("{at}: cannot set up TLS ({e})"))?
                .port(f.port.unwrap_or(465)),
            SmtpTls::None => {
                if !local && !f.allow_insecure {
                    return Err(format!(
                        "{at} tls: \"none\" sends codes readable on the way to {host}; use starttls or tls (or set allow_insecure = true)"
                    ));
                }
                if credentials.is_some() {
                    return Err(format!(
                        "{at} tls: \"none\" would send the password in clear; use starttls or tls"
                    ));
                }
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
                    .port(f.port.unwrap_or(25))
            }
        };
        let timeout = Duration::from_millis(timeout_ms);
        let mut builder = builder.timeout(Some(timeout));
        if let Some(c) = credentials {
            builder = builder.credentials(c);
        }
        Ok(SmtpGateway {
            transport: builder.build(),
            from,
            timeout,
            attempts,
            host,
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn worst_case(&self) -> Duration {
        worst_case(self.timeout, self.attempts)
    }

    fn email(&self, m: &OutgoingMessage) -> Result<Message, DeliveryError> {
        let to: Mailbox = m.destination.parse().map_err(|_| {
            DeliveryError::new(
                DeliveryFailureReason::Rejected,
                "the customer's e-mail address is not usable",
            )
        })?;
        let html = format!(
            "<!doctype html><html><body><p>{}</p></body></html>",
            html_escape(&m.text)
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .multipart(MultiPart::alternative_plain_html(m.text.clone(), html))
            .map_err(|_| {
                DeliveryError::new(
                    DeliveryFailureReason::Rejected,
                    "the e-mail could not be built",
                )
            })
    }

    async fn attempt(&self, email: &Message) -> Result<(), DeliveryError> {
        let host = &self.host;
        let sent = tokio::time::timeout(self.timeout, self.transport.send(email.clone())).await;
        let e = match sent {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => e,
            Err(_) => {
                return Err(DeliveryError::new(
                    DeliveryFailureReason::Timeout,
                    format!(
                        "{host} did not answer within {} ms",
                        self.timeout.as_millis()
                    ),
                )
                .maybe_accepted())
            }
        };
        let status = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
        // lettre's messages can quote the server's reply, which may echo an address: only
        // the class and the reply code are passed on.
        let failure = if e.is_permanent() {
            DeliveryError::new(
                DeliveryFailureReason::Rejected,
                format!("{host} refused the message"),
            )
        } else if e.is_transient() {
            DeliveryError::new(
                DeliveryFailureReason::GatewayError,
                format!("{host} could not take the message now"),
            )
        } else if e.is_timeout() {
            DeliveryError::new(
                DeliveryFailureReason::Timeout,
                format!(
                    "{host} did not answer within {} ms",
                    self.timeout.as_millis()
                ),
            )
            .maybe_accepted()
        } else {
            DeliveryError::new(
                DeliveryFailureReason::Unreachable,
                format!("could not talk to {host}"),
            )
        };
        Err(match status {
            Some(s) => failure.status(s),
            None => failure,
        })
    }
}

#[async_trait]
impl Gateway for SmtpGateway {
    async fn deliver(&self, message: OutgoingMessage) -> Result<Accepted, DeliveryError> {
        let email = self.email(&message)?;
        with_retries(self.attempts, || self.attempt(&email)).await?;
        Ok(Accepted::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        (var == "SMTP_USER" || var == "SMTP_PASS").then(|| "x".to_string())
    }

    fn build(toml_text: &str) -> Result<SmtpGateway, String> {
        let f: SmtpGatewayFile = toml::from_str(toml_text).unwrap();
        SmtpGateway::from_file(&f, &env, "[gateways.email]")
    }

    // The transport starts its connection pool's task, so it needs a runtime.
    #[tokio::test]
    async fn plaintext_only_to_this_machine_and_never_with_a_password() {
        let base = "from = \"Loyalty <l@example.com>\"\n";
        assert!(build(&format!("{base}host = \"127.0.0.1\"\ntls = \"none\"")).is_ok());
        let e = build(&format!(
            "{base}host = \"mail.example.com\"\ntls = \"none\""
        ))
        .err()
        .unwrap();
        assert!(e.contains("readable on the way"), "{e}");
        assert!(build(&format!(
            "{base}host = \"mail.example.com\"\ntls = \"none\"\nallow_insecure = true"
        ))
        .is_ok());
        let e = build(&format!(
            "{base}host = \"localhost\"\ntls = \"none\"\nusername_env = \"SMTP_USER\"\npassword_env = \"SMTP_PASS\""
        ))
        .err()
        .unwrap();
        assert!(e.contains("password in clear"), "{e}");
        assert!(build(&format!(
            "{base}host = \"mail.example.com\"\ntls = \"starttls\"\nusername_env = \"SMTP_USER\"\npassword_env = \"SMTP_PASS\""
        ))
        .is_ok());
        let e = build(&format!(
            "{base}host = \"mail.example.com\"\ntls = \"tls\"\nusername_env = \"SMTP_USER\"\npassword_env = \"NOT_SET\""
        ))
        .err()
        .unwrap();
        assert!(e.contains("NOT_SET is not set"), "{e}");
        let e = build("from = \"not an address\"\nhost = \"localhost\"\ntls = \"none\"")
            .err()
            .unwrap();
        assert!(e.contains("from"), "{e}");
    }
}
