//! E-mail over SMTP with STARTTLS (`lettre`): the station's mail relay, its login, and the
//! sender people see. The TLS is required, never optional: a relay that does not offer
//! STARTTLS gets nothing, and its certificate must be valid for its name (the web's roots,
//! or the one CA file a station with its own relay names).

use domain::outbox::Answer;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How the station's relay is reached (`PORTAL_SMTP_*`).
#[derive(Clone)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// `"招宝山派出所 <noreply@example.cn>"`.
    pub from: String,
    /// A PEM file of the CA the relay's certificate comes from, when it is not a public one.
    pub ca_file: Option<String>,
}

// The password stays out of every log line that prints the settings.
impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("from", &self.from)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// One mail ready to go.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// `<delivery-12@host>`: the same message tried twice keeps its id.
    pub message_id: String,
}

pub struct Email {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Email {
    pub fn new(settings: &EmailSettings) -> Result<Email, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("PORTAL_SMTP_FROM {:?}: {e}", settings.from))?;
        let mut tls = TlsParameters::builder(settings.host.clone());
        if let Some(file) = &settings.ca_file {
            let pem =
                std::fs::read(file).map_err(|e| format!("PORTAL_SMTP_CA_FILE {file}: {e}"))?;
            let ca = Certificate::from_pem(&pem)
                .map_err(|e| format!("PORTAL_SMTP_CA_FILE {file}: {e}"))?;
            tls = tls.add_root_certificate(ca);
        }
        let tls = tls
            .build_rustls()
            .map_err(|e| format!("TLS for the mail relay: {e}"))?;
        // "Dangerous" only in that the builder itself sets no TLS: it is required just below.
        let mut relay = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(Tls::Required(tls))
            // The worker gives every channel the same timeout.
            .timeout(None);
        if let (Some(user), Some(password)) = (&settings.user, &settings.password) {
            relay = relay.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Email {
            from,
            transport: relay.build(),
        })
    }

    /// Sends one mail: a failed try, with the relay's answer, when it cannot.
    pub async fn send(&self, mail: &Mail) -> Answer {
        let failed = |text: String| Answer {
            via: "email".to_owned(),
            ok: false,
            text,
            reference: None,
        };
        let to: Mailbox = match mail.to.parse() {
            Ok(to) => to,
            Err(e) => return failed(format!("not an address: {e}")),
        };
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone());
        let message = match message {
            Ok(message) => message,
            Err(e) => return failed(format!("not a mail: {e}")),
        };
        match self.transport.send(message).await {
            Ok(response) => Answer {
                via: "email".to_owned(),
                ok: true,
                text: format!("SMTP {}", response.code()),
                reference: None,
            },
            // The relay's words may echo the address ("<name@x>: Recipient address
            // rejected"): officers read only its code, as they read numbers masked.
            Err(e) => failed(match e.status() {
                Some(code) => format!("SMTP {code}"),
                None if e.is_tls() => "TLS refused".to_owned(),
                None if e.is_timeout() => "timeout".to_owned(),
                None => "connection or TLS failed".to_owned(),
            }),
        }
    }
}
