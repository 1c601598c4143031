//! Stand-ins for the merchant's providers, on 127.0.0.1: an HTTP gateway that records every
//! request and answers as scripted (a status, or silence), and an SMTP sink that speaks
//! enough SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) to record what lettre sends.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request as the gateway saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent (still percent-encoded).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The decoded fields of a form body or of the query string.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
    pub fn query(&self) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }
    pub fn field(fields: &[(String, String)], name: &str) -> String {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no field {name} in {fields:?}"))
    }
}

/// How the gateway answers the next request.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Status(u16),
    /// Reads the request and never answers (the server's timeout must fire).
    Silence,
}

/// A fake SMS/WhatsApp provider. Answers 200 unless scripted otherwise, naming the n-th
/// message it took `msg-<n>`.
#[derive(Clone)]
pub struct FakeGateway {
    pub base: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<Answer>>>,
}

impl FakeGateway {
    pub async fn start() -> FakeGateway {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let gateway = FakeGateway {
            base,
            requests: Arc::default(),
            script: Arc::default(),
        };
        let g = gateway.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let g = g.clone();
                tokio::spawn(async move { g.serve(socket).await });
            }
        });
        gateway
    }

    /// The next answers, in order.
    pub fn script(&self, answers: &[Answer]) {
        self.script.lock().unwrap().extend(answers.iter().copied());
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (confirmations are sent in the background).
    pub async fn wait_for(&self, n: usize) -> Vec<Recorded> {
        for _ in 0..100 {
            let seen = self.requests();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} requests, got {:?}", self.requests());
    }

    /// One HTTP/1.1 connection: requests with Content-Length bodies, kept alive.
    async fn serve(&self, socket: tokio::net::TcpStream) {
        let (read, mut write) = socket.into_split();
        let mut reader = BufReader::new(read);
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let mut parts = line.split_whitespace();
            let (method, target) = (
                parts.next().unwrap_or_default().to_string(),
                parts.next().unwrap_or_default().to_string(),
            );
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                    return;
                }
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((n, v)) = h.split_once(':') {
                    headers.push((n.trim().to_string(), v.trim().to_string()));
                }
            }
            let length = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
            let number = {
                let mut seen = self.requests.lock().unwrap();
                seen.push(Recorded {
                    method,
                    target,
                    headers,
                    body: String::from_utf8_lossy(&body).to_string(),
                });
                seen.len()
            };
            let answer = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Answer::Status(200));
            match answer {
                Answer::Silence => {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return;
                }
                Answer::Status(code) => {
                    // Providers name the message they took: `msg-<n>` for the n-th request
                    // (WhatsApp Cloud's shape, and Twilio's `sid`).
                    let body = format!(
                        "{{\"status\":{code},\"messages\":[{{\"id\":\"msg-{number}\"}}],\"sid\":\"msg-{number}\"}}"
                    );
                    let response = format!(
                        "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if write.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// A port nothing listens on (bound, then released).
pub async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

/// One mail as the sink received it.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA section, dot-unstuffed.
    pub data: String,
}

/// Where the sink refuses, with which reply.
#[derive(Clone, Copy, Debug)]
pub enum SmtpFault {
    /// Reply to RCPT TO with this (e.g. 550).
    Rcpt(u16),
    /// Reply to the end of DATA with this (e.g. 451).
    Data(u16),
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    faults: Arc<Mutex<VecDeque<SmtpFault>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = SmtpSink {
            port: listener.local_addr().unwrap().port(),
            mails: Arc::default(),
            faults: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let s = s.clone();
                tokio::spawn(async move { s.serve(socket).await });
            }
        });
        sink
    }

    pub fn fault(&self, f: SmtpFault) {
        self.faults.lock().unwrap().push_back(f);
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    async fn serve(&self, socket: tokio::net::TcpStream) {
        let (read, mut write) = socket.into_split();
        let mut reader = BufReader::new(read);
        let _ = write.write_all(b"220 sink ESMTP ready\r\n").await;
        let (mut from, mut to) = (String::new(), Vec::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let upper = line.to_ascii_uppercase();
            let reply = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                "250-sink greets you\r\n250-8BITMIME\r\n250 SMTPUTF8".to_string()
            } else if upper.starts_with("MAIL FROM:") {
                from = line[10..].trim().to_string();
                to.clear();
                "250 ok".into()
            } else if upper.starts_with("RCPT TO:") {
                let fault = {
                    let mut faults = self.faults.lock().unwrap();
                    match faults.front() {
                        Some(SmtpFault::Rcpt(code)) => {
                            let code = *code;
                            faults.pop_front();
                            Some(code)
                        }
                        _ => None,
                    }
                };
                match fault {
                    Some(code) => format!("{code} 5.1.1 no such mailbox"),
                    None => {
                        to.push(line[8..].trim().to_string());
                        "250 ok".into()
                    }
                }
            } else if upper.starts_with("DATA") {
                let _ = write.write_all(b"354 go ahead\r\n").await;
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if reader.read_line(&mut l).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if l == ".\r\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                }
                let fault = {
                    let mut faults = self.faults.lock().unwrap();
                    match faults.front() {
                        Some(SmtpFault::Data(code)) => {
                            let code = *code;
                            faults.pop_front();
                            Some(code)
                        }
                        _ => None,
                    }
                };
                match fault {
                    Some(code) => format!("{code} 4.3.0 try later"),
                    None => {
                        self.mails.lock().unwrap().push(Mail {
                            from: from.clone(),
                            to: to.clone(),
                            data,
                        });
                        "250 queued".into()
                    }
                }
            } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
                "250 ok".into()
            } else if upper.starts_with("QUIT") {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            } else {
                "502 not implemented".into()
            };
            if write
                .write_all(format!("{reply}\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// The decoded text of every MIME part of a mail (quoted-printable or base64), so a test can
/// read what the customer would.
pub fn mail_parts(data: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    for chunk in data.split("\r\n--") {
        let Some((head, body)) = chunk.split_once("\r\n\r\n") else {
            continue;
        };
        let head_lower = head.to_ascii_lowercase();
        let Some(ct) = head_lower
            .lines()
            .find_map(|l| l.strip_prefix("content-type:"))
            .map(|v| v.trim().to_string())
        else {
            continue;
        };
        if ct.starts_with("multipart/") {
            continue;
        }
        let body = body.split("\r\n--").next().unwrap_or(body);
        let text = if head_lower.contains("content-transfer-encoding: base64") {
            String::from_utf8_lossy(&base64_decode(body)).to_string()
        } else if head_lower.contains("content-transfer-encoding: quoted-printable") {
            String::from_utf8_lossy(&qp_decode(body)).to_string()
        } else {
            body.to_string()
        };
        parts.push((ct, text));
    }
    parts
}

pub fn base64_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for b in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == b) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn qp_decode(s: &str) -> Vec<u8> {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}
