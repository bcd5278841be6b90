//! 阿里云短信 (Alibaba Cloud SMS, `dysmsapi` 2017-05-25, `SendSms`): the station's approved
//! signature and one approved template per kind of message; the request signed with
//! HMAC-SHA1 over the sorted, RFC 3986-encoded parameters, as the provider documents it (the
//! test below reproduces the documentation's worked example).

use std::collections::BTreeMap;

use base64::Engine;
use domain::outbox::{Answer, Kind, Receipt};
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{Outgoing, SmsProvider};

/// What RFC 3986 leaves unencoded; everything else is `%XY`, a space `%20`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// The signature of a request with `method` ("GET" or "POST") and `params` (without the
/// signature itself), for the access key `secret`.
pub fn sign(secret: &str, method: &str, params: &BTreeMap<String, String>) -> String {
    let canonical = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("{method}&{}&{}", encode("/"), encode(&canonical));
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The provider as the station configured it.
pub struct Aliyun {
    /// `https://dysmsapi.aliyuncs.com/` (the tests point it at a fake on loopback).
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub sign_name: String,
    /// The approved template of each kind of message, e.g. `SMS_71390007`.
    pub templates: BTreeMap<Kind, String>,
    pub client: reqwest::Client,
}

/// What the provider answers (JSON): `Code` is "OK" when the text was accepted.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Reply {
    code: String,
    #[serde(default)]
    biz_id: Option<String>,
}

/// What `QuerySendDetails` answers: the records of one number on one day.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Details {
    code: String,
    #[serde(rename = "SmsSendDetailDTOs", default)]
    details: Option<DetailList>,
}

#[derive(serde::Deserialize)]
struct DetailList {
    #[serde(rename = "SmsSendDetailDTO", default)]
    records: Vec<Detail>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Detail {
    /// 1 waiting for the receipt, 2 failed, 3 delivered.
    send_status: i64,
}

impl Aliyun {
    /// `action`'s own parameters with the common ones, signed.
    fn signed(
        &self,
        action: &[(&str, &str)],
        nonce: &str,
        timestamp: &str,
    ) -> BTreeMap<String, String> {
        let common = [
            ("AccessKeyId", self.access_key_id.as_str()),
            ("Format", "JSON"),
            ("RegionId", "cn-hangzhou"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("Timestamp", timestamp),
            ("Version", "2017-05-25"),
        ];
        let mut params: BTreeMap<String, String> = common
            .iter()
            .chain(action)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let signature = sign(&self.access_key_secret, "POST", &params);
        params.insert("Signature".to_owned(), signature);
        params
    }

    /// The signed form of one text.
    pub fn form(
        &self,
        sms: &Outgoing,
        template: &str,
        nonce: &str,
        timestamp: &str,
    ) -> BTreeMap<String, String> {
        let param = serde_json::json!({ "code": sms.code, "time": sms.time }).to_string();
        self.signed(
            &[
                ("Action", "SendSms"),
                ("PhoneNumbers", sms.to.as_str()),
                ("SignName", self.sign_name.as_str()),
                ("TemplateCode", template),
                ("TemplateParam", param.as_str()),
            ],
            nonce,
            timestamp,
        )
    }

    /// The carrier's receipt of the text `biz_id` to `phone`, sent on `sent_on`.
    async fn query(
        &self,
        phone: &str,
        biz_id: &str,
        sent_on: chrono::NaiveDate,
    ) -> Option<Receipt> {
        let nonce = domain::accounts::random_token().ok()?;
        let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let day = sent_on.format("%Y%m%d").to_string();
        let form = self.signed(
            &[
                ("Action", "QuerySendDetails"),
                ("PhoneNumber", phone),
                ("BizId", biz_id),
                ("SendDate", &day),
                ("PageSize", "10"),
                ("CurrentPage", "1"),
            ],
            &nonce,
            &timestamp,
        );
        let response = self.client.post(&self.endpoint).form(&form).send().await;
        let body = response.ok()?.text().await.ok()?;
        let details: Details = serde_json::from_str(&body).ok()?;
        if details.code != "OK" {
            return None;
        }
        match details.details?.records.first()?.send_status {
            3 => Some(Receipt::Delivered),
            2 => Some(Receipt::Undelivered),
            _ => None,
        }
    }

    async fn post(&self, sms: &Outgoing) -> Answer {
        let failed = |text: String| Answer {
            via: "aliyun".to_owned(),
            ok: false,
            text,
            reference: None,
        };
        let Some(template) = self.templates.get(&sms.kind) else {
            return failed(format!("no template for {}", sms.kind));
        };
        let Ok(nonce) = domain::accounts::random_token() else {
            return failed("no randomness for the nonce".to_owned());
        };
        let timestamp = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let form = self.form(sms, template, &nonce, &timestamp);
        let response = match self.client.post(&self.endpoint).form(&form).send().await {
            Ok(response) => response,
            Err(e) => return failed(format!("unreachable: {e}")),
        };
        let status = response.status();
        let body = match response.text().await {
            Ok(body) => body,
            Err(e) => return failed(format!("HTTP {status}, body unreadable: {e}")),
        };
        // Only the code is kept: the provider's message may echo the number and the text.
        match serde_json::from_str::<Reply>(&body) {
            Ok(reply) if reply.code == "OK" => Answer {
                via: "aliyun".to_owned(),
                ok: true,
                text: format!("OK {}", reply.biz_id.as_deref().unwrap_or_default()),
                reference: reply.biz_id,
            },
            Ok(reply) => failed(format!("HTTP {status} {}", reply.code)),
            Err(_) => failed(format!("HTTP {status}, not the provider's answer")),
        }
    }
}

impl SmsProvider for Aliyun {
    fn via(&self) -> &'static str {
        "aliyun"
    }

    fn send<'a>(&'a self, sms: &'a Outgoing) -> BoxFuture<'a, Answer> {
        Box::pin(self.post(sms))
    }

    fn receipt<'a>(
        &'a self,
        phone: &'a str,
        reference: &'a str,
        sent_on: chrono::NaiveDate,
    ) -> BoxFuture<'a, Option<Receipt>> {
        Box::pin(self.query(phone, reference, sent_on))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of the provider's documentation ("HTTP协议及签名"): its request,
    /// access key `testId` / `testSecret`, signs to `zJDF+Lrzhj/ThnlvIToysFRq6t4=`.
    #[test]
    fn the_documented_example_signs_as_documented() {
        let params: BTreeMap<String, String> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            sign("testSecret", "GET", &params),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
        assert_eq!(encode("a b*c~d/e+"), "a%20b%2Ac~d%2Fe%2B");
    }
}
