//! Fuzzing the server functions with malformed and hostile input.
//!
//! Every server function that takes a POST gets generated garbage, posted as a browser
//! without JavaScript posts a form (`Accept: text/html`, the CSRF token in the body): text
//! of 10 000 and 100 000 characters, invalid UTF-8 sent as raw escapes (`%FF%FE`), numbers
//! no field holds (`99999999999999999999`, `1e309`, `NaN`), text where a number goes,
//! arrays and objects where a scalar goes, missing and unknown fields, NULs and other
//! control characters, HTML and SQL that try to break out, empty and degenerate bodies.
//! The cases come from `proptest` strategies drawn with a fixed seed, so every run sends
//! the same requests; a failure names the endpoint and one request that showed it.
//!
//! What must hold for every request:
//! - the router answers, within 30 seconds, without a panic;
//! - no 5xx, neither as the status nor hidden in the redirect back to the form (a form post
//!   turns every error into `302` with the error in `__err`: a `Server` error there is a 500
//!   the browser never sees);
//! - nothing is written. Each batch is judged against the whole database: every row of every
//!   table, before and after, not only the counts, so that an UPDATE shows too. Garbage
//!   batches fill every identifier, code and choice with values no row or rule accepts, so
//!   no request of them has a valid write to make. Deep batches fill the identifiers with
//!   real ones and make at least one free-text or number field break its rule (over-long,
//!   out of range): they must not write either.
//!
//! Where writes are fine (the deep templates whose fields all keep their rules, hostile
//! but acceptable text such as `<script>` or `' OR 1=1 --` included), only the first two
//! hold. What a batch may change although its input was garbage is listed, with the reason,
//! in `may_change`.
//!
//! And at the end of every test, over the whole database: no value stored since the start
//! is longer than 5 000 characters (the largest length any rule allows) or holds a control
//! character other than a line break (`domain::text::clean` removes them from everything
//! people type).
//!
//! Callers: an officer (the most powerful role short of admin) and a resident for every
//! function; the staff who run a function (mediator, squad leader, volunteer, liaison,
//! station member) for those that stop everyone else at the door; scripts (the CSRF token in
//! the `x-csrf-token` header, JSON answers with real statuses) for every function. The GET
//! functions get garbage query strings from an officer, a resident and a visitor: no 5xx.
//!
//! Each test prints to stderr how many requests it sent, how long it took and how the
//! requests were answered (how far the garbage got: `Invalid("error-invalid")` is an
//! argument the function could not read, other keys are the functions' own refusals).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use app::error::AppError;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use leptos::server_fn::error::ServerFnUrlError;
use proptest::prelude::{Just, Strategy};
use proptest::prop_oneof;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use tower::ServiceExt;

use common::{Error, Portal, TestResult, run, urlencode};

/// Garbage requests per function and caller.
const CASES: u32 = 64;
/// Deep requests per template, drawn: with broken fields (after every refused value of every
/// field alone), then (where writes are fine) all valid.
const DEEP_BROKEN: u32 = 32;
const DEEP_VALID: u32 = 16;
/// Functions fuzzed between two snapshots of the database.
const GROUP: usize = 4;
/// Requests per function for the script transport and for the GET functions.
const SCRIPT_CASES: u32 = 32;
const GET_CASES: u32 = 24;
/// The longest text any rule of the portal accepts (notice and post bodies).
const LONGEST_ALLOWED: usize = 5000;

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

/// One value as it goes on the wire (already percent-encoded), with a short label for
/// messages: the 100 000-character ones would drown them.
#[derive(Clone)]
struct Value {
    raw: String,
    label: String,
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

fn short(text: &str) -> String {
    let n = text.chars().count();
    if n <= 48 {
        text.to_owned()
    } else {
        format!("{}…({n} chars)", text.chars().take(36).collect::<String>())
    }
}

/// Text as a browser would send it, percent-encoded.
fn text(t: &str) -> Value {
    Value {
        raw: urlencode(t),
        label: short(t),
    }
}

/// Bytes exactly as written: raw escapes are how invalid UTF-8 and NULs travel in a form.
fn wire(raw: &str) -> Value {
    Value {
        raw: raw.to_owned(),
        label: short(raw),
    }
}

fn big(label: &str, raw: String) -> Value {
    Value {
        raw,
        label: label.to_owned(),
    }
}

/// Values longer than any rule allows, even after control characters are removed.
static LONG: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        big("A×10000", "A".repeat(10_000)),
        big("a×100000", "a".repeat(100_000)),
        big("字×10000", urlencode(&"字".repeat(10_000))),
        big("9×10000", "9".repeat(10_000)),
        big("(xy NUL)×5000", "xy%00".repeat(5_000)),
        big("<script>×1250", urlencode(&"<script>".repeat(1_250))),
    ]
});

/// Hostile text that a rule may well accept: it must be stored as harmless text (control
/// characters removed), never break the query or the page.
static PLAUSIBLE: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let mut values: Vec<Value> = [
        "' OR 1=1 --",
        "'; DROP TABLE users; --",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "{{7*7}}${7*7}#{7*7}",
        "../../../etc/passwd",
        "😀𝕏 表情 emoji",
        "Robert'); DROP TABLE",
    ]
    .iter()
    .map(|t| text(t))
    .collect();
    values.extend(
        [
            "a%00b%00cdef",
            "%01%02%1Bx%7Fyz%0D%0Aok",
            "%E2%80%AEevil%E2%80%AC%E2%80%8B",
            "%EF%BB%BFbom",
            "%FF%FE+bad+utf8",
            "%C0%AF%ED%A0%80xx",
            "tab%09tab",
            "nul%00%00%00end",
        ]
        .iter()
        .map(|r| wire(r)),
    );
    values
});

/// Everything thrown at a field of the garbage batches. None of it is a real identifier, a
/// case code, a phone number, a date, a password or a word of any closed set.
static HOSTILE: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let mut values = LONG.clone();
    values.push(big("%00×10000", "%00".repeat(10_000)));
    values.extend(PLAUSIBLE.iter().cloned());
    values.extend(
        [
            // empty, and invalid UTF-8 of every kind
            "",
            "%FF%FE",
            "%C0%AF",
            "%ED%A0%80",
            "abc%FFdef",
            "%F4%90%80%80",
            "%E5%AD",
            // broken escapes
            "%",
            "%G1",
            "100%",
            "%%",
            "%25%00",
            "%252e%252e%252f",
            // numbers no field holds
            "99999999999999999999",
            "-1",
            "0",
            "-0",
            "1e309",
            "-1e309",
            "NaN",
            "inf",
            "1.5",
            "2147483647",
            "2147483648",
            "-2147483649",
            "9223372036854775808",
            "0x10",
            "1_000",
            // other types
            "true",
            "null",
            "abc",
            "%5B%5D",
            "%7B%7D",
            // control characters alone
            "%00",
            "a%00b",
            "%01%02%03%1B%7F",
            "%0D%0A",
            "%09",
            "+",
            "%2B",
            "%E2%80%AE",
            "%EF%BB%BF",
        ]
        .iter()
        .map(|r| wire(r)),
    );
    values
});

/// Text that no "at least four characters" rule accepts: empty, blank, control characters,
/// two replacement characters, or far too long.
static SHORT_OR_LONG: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let mut values = LONG.clone();
    values.extend(
        ["", "a", "%00%01", "%FF%FE", "%0D%0A", "+++", "%09x%09"]
            .iter()
            .map(|r| wire(r)),
    );
    values
});

/// Whole bodies that are no form at all.
static BODIES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let mut values: Vec<Value> = [
        "",
        "&&&&",
        "=",
        "%",
        "a",
        "&=&=&=",
        "a[",
        "a]=1",
        "[=]",
        "%5B%5D=1",
        "a[b][c][d][e][f][g][h][i][j]=1",
        "csrf=forged",
        "%FF%FE=%FF%FE",
    ]
    .iter()
    .map(|r| wire(r))
    .collect();
    values.push(big("x=1& ×3000", "x=1&".repeat(3_000)));
    values.push(big("%FF%FE%FD ×1000", "%FF%FE%FD".repeat(1_000)));
    values.push(big("a×200000 (no =)", "a".repeat(200_000)));
    values.push(big("a[0]=1& ×2000", "a[0]=1&".repeat(2_000)));
    values
});

/// The value a form field holds after URL decoding and `domain::text::clean`: what the
/// length rules count.
fn decoded(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn cleaned_length(raw: &str) -> usize {
    decoded(raw)
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .count()
}

// ---------------------------------------------------------------------------------------
// The server functions
// ---------------------------------------------------------------------------------------

/// What a field holds, which decides what is thrown at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An identifier, a code, a number, a date, a phone, a password or a word of a closed
    /// set: whatever its type, only exact values pass, and the garbage holds none.
    Exact,
    /// Free text.
    Text,
    /// Free text with a minimum length, where it is the only thing that can refuse a write.
    NotShort,
    /// A checkbox: present ("on") or absent.
    Flag,
    /// `true`/`false`.
    Bool,
    /// A list, `name[0]=…&name[1]=…`.
    List,
}

use Kind::{Bool, Exact, Flag, List, NotShort, Text};

type Fields = &'static [(&'static str, Kind)];

/// Every server function that takes a POST, with the fields its form sends. Arguments of a
/// struct go as `arg[field]`, as the forms name them.
const POSTS: &[(&str, Fields)] = &[
    (
        "board/open",
        &[
            ("case[kind]", Exact),
            ("case[title]", Text),
            ("case[summary]", Text),
            ("case[contact_name]", Text),
            ("case[contact_phone]", Exact),
            ("case[community_id]", Exact),
            ("case[household]", Text),
        ],
    ),
    (
        "board/move",
        &[
            ("step[code]", Exact),
            ("step[action]", Exact),
            ("step[org]", Exact),
            ("step[note]", Text),
            ("step[feedback]", Text),
            ("step[rating]", Exact),
            ("step[no_feedback_reason]", Text),
            ("step[on]", Exact),
        ],
    ),
    (
        "board/deadline",
        &[
            ("deadline[kind]", Exact),
            ("deadline[stage]", Exact),
            ("deadline[hours]", Exact),
            ("deadline[escalate]", Flag),
        ],
    ),
    (
        "board/bulk-assign",
        &[("bulk[org]", Exact), ("bulk[codes]", List)],
    ),
    ("demo-mode", &[]),
    (
        "antifraud/households/add",
        &[("compound_id", Exact), ("addresses", Text)],
    ),
    (
        "antifraud/visit",
        &[
            ("household_id", Exact),
            ("visit[visited_on]", Exact),
            ("visit[app_installed]", Flag),
            ("visit[warning_on]", Flag),
            ("visit[elderly_alone]", Flag),
            ("visit[recent_victim]", Flag),
            ("visit[explained]", List),
            ("visit[follow_up_on]", Exact),
        ],
    ),
    ("enterprise/request", &[("title", Text), ("body", Text)]),
    (
        "antifraud/loss",
        &[
            ("loss[community_id]", Exact),
            ("loss[occurred_on]", Exact),
            ("loss[amount_yuan]", Exact),
            ("loss[scam]", Exact),
        ],
    ),
    (
        "teahouse/flag",
        &[
            ("thread_id", Exact),
            ("post_id", Exact),
            ("reason", Exact),
            ("note", Text),
        ],
    ),
    (
        "teahouse/moderate-post",
        &[
            ("thread_id", Exact),
            ("post_id", Exact),
            ("action", Exact),
            ("note", Text),
            ("from_queue", Flag),
        ],
    ),
    (
        "teahouse/moderate-thread",
        &[("thread_id", Exact), ("action", Exact), ("note", Text)],
    ),
    (
        "teahouse/start",
        &[
            ("thread[board_id]", Exact),
            ("thread[title]", Text),
            ("thread[body]", Text),
            ("thread[community_id]", Exact),
            ("thread[anonymous]", Flag),
            ("thread[display_name]", Text),
        ],
    ),
    (
        "teahouse/reply",
        &[
            ("reply[thread_id]", Exact),
            ("reply[body]", Text),
            ("reply[anonymous]", Flag),
            ("reply[display_name]", Text),
        ],
    ),
    (
        "teahouse/accept",
        &[("thread_id", Exact), ("post_id", Exact)],
    ),
    ("teahouse/resolve", &[("thread_id", Exact)]),
    (
        "teahouse/to-case",
        &[
            ("case[thread_id]", Exact),
            ("case[dispute_type]", Exact),
            ("case[room_id]", Exact),
            ("case[other_party]", Text),
        ],
    ),
    ("admin/add-liaison", &[("phone", Exact), ("room", Exact)]),
    (
        "admin/open-board",
        &[
            ("board[office]", Exact),
            ("board[room]", Exact),
            ("board[name]", Text),
            ("board[description]", Text),
            ("board[answer_hours]", Exact),
        ],
    ),
    ("inbox", &[("page", Exact)]),
    ("community", &[("id", Exact)]),
    ("directory-figures", &[]),
    ("mediation-rooms", &[]),
    ("squads", &[]),
    ("prefs", &[("lang", Exact), ("text", Exact)]),
    ("mediation/video/invite", &[("code", Exact)]),
    (
        "mediation/video/redeem",
        &[("code", Exact), ("invite", Exact)],
    ),
    ("mediation/options", &[]),
    (
        "mediation/request",
        &[
            ("request[dispute_type]", Exact),
            ("request[account]", Text),
            ("request[other_party]", Text),
            ("request[other_relation]", Text),
            ("request[other_phone]", Exact),
            ("request[amount]", Exact),
            ("request[tried_aid_station]", Exact),
            ("request[mode]", Exact),
            ("request[room]", Exact),
        ],
    ),
    ("mediation/case", &[("code", Exact)]),
    ("mediation/book", &[("code", Exact), ("starts_at", Exact)]),
    ("mediation/cancel", &[("code", Exact)]),
    ("mediation/accept", &[("code", Exact)]),
    ("mediation/decline", &[("code", Exact), ("reason", Text)]),
    (
        "mediation/propose",
        &[("code", Exact), ("starts_at", Exact)],
    ),
    (
        "mediation/outcome",
        &[
            ("code", Exact),
            ("outcome", Exact),
            ("agreement", Text),
            ("amount", Exact),
            ("referred_to", Exact),
            ("referral_note", Text),
        ],
    ),
    (
        "mediation/referral-result",
        &[("code", Exact), ("result", Exact)],
    ),
    (
        "mediation/follow-up",
        &[("code", Exact), ("rating", Exact), ("comment", Text)],
    ),
    (
        "mediation/escalate",
        &[("code", Exact), ("level", Exact), ("reason", Text)],
    ),
    ("mediation/mine", &[]),
    ("mediation/queue", &[]),
    ("mediation/schedule", &[("room", Exact)]),
    (
        "mediation/schedule/save",
        &[
            ("room", Exact),
            ("slot_minutes", Exact),
            ("buffer_minutes", Exact),
            ("horizon_days", Exact),
            ("needs_confirmation", Flag),
        ],
    ),
    (
        "mediation/schedule/add",
        &[
            ("room", Exact),
            ("kind", Exact),
            ("weekday", Exact),
            ("day", Exact),
            ("start", Exact),
            ("end", Exact),
        ],
    ),
    (
        "mediation/schedule/remove",
        &[("room", Exact), ("window", Exact)],
    ),
    (
        "admin/assign-mediator",
        &[("phone", Exact), ("room", Exact)],
    ),
    ("mediation/stats", &[]),
    ("notices/desk", &[]),
    ("notices/editor", &[("id", Exact)]),
    (
        "notices/save",
        &[
            ("notice[id]", Exact),
            ("notice[title]", Text),
            ("notice[body]", Text),
            ("notice[category]", Exact),
            ("notice[severity]", Exact),
            ("notice[target]", Exact),
            ("notice[communities]", List),
            ("notice[starts_at]", Exact),
            ("notice[expires_at]", Exact),
            ("notice[pinned]", Flag),
        ],
    ),
    ("notices/publish", &[("id", Exact)]),
    ("notices/cancel", &[("id", Exact)]),
    ("me", &[]),
    ("register-options", &[]),
    (
        "register",
        &[
            ("phone", Exact),
            ("password", Exact),
            ("community", Exact),
            ("compound", Exact),
            ("consent", Flag),
            ("code", Exact),
        ],
    ),
    (
        "login",
        &[("phone", Exact), ("password", Exact), ("next", Text)],
    ),
    ("logout", &[]),
    ("change-password", &[("old", Exact), ("new", Text)]),
    ("calendar", &[]),
    ("calendar/address", &[("action", Exact)]),
    ("register/code", &[("phone", Exact)]),
    ("reset/code", &[("phone", Exact)]),
    ("me/verify-code", &[]),
    ("me/verify", &[("code", Exact)]),
    (
        "outbox/choices",
        &[
            ("shown", Exact),
            ("pick[urgent-sms]", Exact),
            ("pick[case-wechat]", Exact),
            ("pick[reminder-email]", Exact),
            ("pick[volunteer-sms]", Exact),
            ("pick[teahouse-sms]", Exact),
        ],
    ),
    ("outbox/wechat-unlink", &[]),
    ("outbox/email-code", &[("address", Exact)]),
    ("outbox/email-verify", &[("code", Exact)]),
    ("outbox/email-forget", &[]),
    ("outbox/retry", &[("id", Exact)]),
    (
        "reset",
        &[("phone", Exact), ("code", Exact), ("password", Text)],
    ),
    ("counter/reset-code", &[("phone", Exact)]),
    (
        "counter/register",
        &[
            ("phone", Exact),
            ("community", Exact),
            ("compound", Exact),
            ("consent", Flag),
            ("witness", Text),
        ],
    ),
    ("delete-account", &[("password", Exact)]),
    (
        "admin/add-user",
        &[("phone", Exact), ("password", Text), ("role", Exact)],
    ),
    ("admin/revoke-role", &[("phone", Exact), ("role", Exact)]),
    ("admin/remove-member", &[("phone", Exact), ("org", Exact)]),
    (
        "admin/directory/create",
        &[
            ("kind", Exact),
            ("org[name]", Text),
            ("org[parent]", Exact),
            ("org[compound]", Exact),
            ("org[address]", Text),
            ("org[hours]", Text),
            ("org[phone]", Exact),
            ("org[description]", Text),
            ("org[initiator]", Text),
            ("org[coordinator]", Text),
            ("org[officer]", Text),
        ],
    ),
    (
        "admin/directory/save",
        &[
            ("kind", Exact),
            ("id", Exact),
            ("org[name]", Text),
            ("org[parent]", Exact),
            ("org[compound]", Exact),
            ("org[address]", Text),
            ("org[hours]", Text),
            ("org[phone]", Exact),
            ("org[description]", Text),
            ("org[initiator]", Text),
            ("org[coordinator]", Text),
            ("org[officer]", Text),
        ],
    ),
    ("admin/directory/retire", &[("kind", Exact), ("id", Exact)]),
    ("admin/directory/restore", &[("kind", Exact), ("id", Exact)]),
    (
        "admin/directory/add-person",
        &[
            ("kind", Exact),
            ("id", Exact),
            ("phone", Exact),
            ("name", Text),
            ("leader", Flag),
            ("role", Exact),
        ],
    ),
    (
        "admin/directory/remove-person",
        &[("kind", Exact), ("id", Exact), ("phone", Exact)],
    ),
    ("admin/directory/apply", &[("id", Exact)]),
    ("admin/users", &[]),
    ("station", &[]),
    // The demo database is past its first start: every garbage set-up finds no page.
    ("setup/open", &[]),
    (
        "setup",
        &[
            ("station[name]", Text),
            ("station[district]", Text),
            ("station[address]", Text),
            ("station[phone]", Exact),
            ("station[public_url]", Text),
            ("station[sender]", Text),
            ("station[area]", Text),
            ("admin_phone", Exact),
            ("password", Text),
        ],
    ),
    (
        "admin/station",
        &[
            ("station[name]", Text),
            ("station[district]", Text),
            ("station[address]", Text),
            ("station[phone]", Exact),
            ("station[public_url]", Text),
            ("station[sender]", Text),
            ("station[area]", Text),
        ],
    ),
    ("reported", &[]),
    (
        "admin/record",
        &[
            ("record[measure]", Exact),
            ("record[value]", Exact),
            ("record[more_than]", Flag),
            ("record[source]", Text),
            ("record[as_of]", Exact),
        ],
    ),
    ("admin/record/remove", &[("measure", Exact)]),
    ("staff/residents", &[]),
    ("volunteers/help", &[]),
    (
        "volunteers/help/ask",
        &[("dialect", Text), ("need", NotShort), ("place", Text)],
    ),
    ("volunteers/help/take", &[("id", Exact)]),
    ("volunteers/help/close", &[("id", Exact), ("note", Text)]),
    ("volunteers", &[]),
    (
        "volunteers/apply",
        &[
            ("application[squad]", Exact),
            ("application[name]", Text),
            ("application[hometown]", Text),
            ("application[dialects]", Text),
            ("application[skills]", Text),
            ("application[availability]", Text),
            ("application[consent]", Flag),
        ],
    ),
    (
        "volunteers/shift",
        &[("shift", Exact), ("action", Exact), ("signup", Exact)],
    ),
    ("volunteers/lead", &[]),
    (
        "volunteers/decide",
        &[("id", Exact), ("decision", Exact), ("reason", Text)],
    ),
    (
        "volunteers/publish",
        &[
            ("shift[squad]", Exact),
            ("shift[kind]", Exact),
            ("shift[title]", Text),
            ("shift[place]", Text),
            ("shift[day]", Exact),
            ("shift[start]", Exact),
            ("shift[end]", Exact),
            ("shift[min_capacity]", Exact),
            ("shift[max_capacity]", Exact),
            ("shift[deadline_hours]", Exact),
            ("shift[weeks]", Exact),
            ("shift[notes]", Text),
            ("shift[school_days]", Flag),
            ("shift[until]", Exact),
        ],
    ),
    (
        "admin/school-calendar/term",
        &[("name", Text), ("from", Exact), ("to", Exact)],
    ),
    ("admin/school-calendar/term/remove", &[("id", Exact)]),
    (
        "admin/school-calendar/holiday",
        &[("name", Text), ("from", Exact), ("to", Exact)],
    ),
    ("admin/school-calendar/holiday/remove", &[("day", Exact)]),
    ("volunteers/roster", &[("id", Exact)]),
    (
        "volunteers/attend",
        &[
            ("shift", Exact),
            ("signup", Exact),
            ("what", Exact),
            ("at", Exact),
        ],
    ),
    (
        "volunteers/add-to-roster",
        &[("shift", Exact), ("member", Exact)],
    ),
    ("volunteers/hours", &[]),
    ("volunteers/ranking", &[("squad", Exact), ("join", Bool)]),
];

/// Every server function that takes a GET (`input = GetUrl`), with its query fields.
const GETS: &[(&str, &[&str])] = &[
    ("home-communities", &[]),
    ("communities", &["q", "page"]),
    ("board/figures", &["period"]),
    ("board", &["stage", "kind", "org", "overdue"]),
    ("board/case", &["code"]),
    ("board/open-options", &[]),
    ("board/colours", &[]),
    ("antifraud", &[]),
    ("antifraud/compound", &["id", "q"]),
    ("antifraud/household", &["id"]),
    ("enterprise", &["id"]),
    ("admin/school-calendar", &[]),
    ("board/deadlines", &[]),
    ("teahouse/moderation", &[]),
    ("teahouse/boards", &[]),
    ("teahouse/board", &["id", "page"]),
    ("teahouse/thread", &["id", "page"]),
    ("teahouse/new-thread", &["board"]),
    ("teahouse/search", &["q", "page"]),
    ("admin/teahouse-options", &[]),
    ("admin/memberships", &["phone"]),
    ("admin/audit", &["actor", "action", "from", "to", "page"]),
    ("counter/code", &[]),
    ("admin/directory", &[]),
    ("admin/directory/choices", &["kind"]),
    ("admin/directory/org", &["kind", "id"]),
    ("admin/directory/import", &["id"]),
    ("inbox/unread", &[]),
    ("mediation/video/room", &["code"]),
    ("notices", &["community", "name"]),
    ("notice", &["id"]),
    ("notices/archive", &["category", "month"]),
    ("outbox/list", &["failed"]),
    ("outbox/mine", &[]),
    ("codes/status", &[]),
];

/// What a batch may change although nothing it sent was valid; everything else must stay
/// exactly as it was.
fn may_change(path: &str, table: &str, column: &str) -> bool {
    match (path, table, column) {
        // Every signed-in request keeps its session alive by touching `last_seen_at`, at
        // most once a minute (`domain::accounts::session_account`).
        (_, "sessions", "last_seen_at") => true,
        // Signing out ends the session: that is all it does, and it takes no input.
        ("logout", "sessions", _) => true,
        // Every failed sign-in and tried reset code is recorded before it is judged, so that
        // guessing is throttled.
        ("login" | "reset", "login_attempts", _) => true,
        // Every set of ticked boxes is a choice of channels: whatever a form posts, it is
        // the person's own choice that is saved.
        ("outbox/choices", "delivery_choices", _) => true,
        // Opening the inbox marks every message read.
        ("inbox", "inbox_messages", "read_at") => true,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Generating requests
// ---------------------------------------------------------------------------------------

/// One generated request: the form's fields, or a body that is no form at all.
#[derive(Clone, Debug)]
struct Case {
    parts: Vec<(String, Value)>,
    body: Option<Value>,
}

impl Case {
    fn body(&self) -> String {
        match &self.body {
            Some(body) => body.raw.clone(),
            None => self
                .parts
                .iter()
                .map(|(k, v)| format!("{k}={}", v.raw))
                .collect::<Vec<_>>()
                .join("&"),
        }
    }

    fn describe(&self) -> String {
        match &self.body {
            Some(body) => format!("body `{}`", body.label),
            None if self.parts.is_empty() => "no fields".to_owned(),
            None => self
                .parts
                .iter()
                .map(|(k, v)| format!("{}={}", short(k), v.label))
                .collect::<Vec<_>>()
                .join("&"),
        }
    }
}

fn pool(kind: Kind) -> BoxedStrategy<Value> {
    match kind {
        Flag => prop_oneof![2 => Just(text("on")), 1 => select(HOSTILE.clone())].boxed(),
        Bool => prop_oneof![
            1 => select(["true", "false", "on", "1", "yes"].map(text).to_vec()),
            2 => select(HOSTILE.clone()),
        ]
        .boxed(),
        NotShort => select(SHORT_OR_LONG.clone()).boxed(),
        Exact | Text | List => select(HOSTILE.clone()).boxed(),
    }
}

/// A field as it goes in the form: given, missing, an array or an object instead of a
/// scalar, or twice.
fn field(name: &'static str, kind: Kind) -> BoxedStrategy<Vec<(String, Value)>> {
    let value = pool(kind);
    let one = move |key: String| value.clone().prop_map(move |v| vec![(key.clone(), v)]);
    if kind == List {
        let indices = select(
            [
                "0",
                "1",
                "",
                "999999999",
                "-1",
                "18446744073709551616",
                "x",
                "%FF",
            ]
            .to_vec(),
        );
        let item = pool(Exact);
        return prop_oneof![
            2 => (indices, item.clone()).prop_map(move |(i, v)| vec![(format!("{name}[{i}]"), v)]),
            1 => one(name.to_owned()),
            1 => proptest::collection::vec(item, 2..6).prop_map(move |items| {
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{name}[{i}]"), v))
                    .collect()
            }),
            1 => Just((0..1000).map(|i| (format!("{name}[{i}]"), wire("1"))).collect()),
            1 => Just(Vec::new()),
        ]
        .boxed();
    }
    let twice = (pool(kind), pool(kind))
        .prop_map(move |(a, b)| vec![(name.to_owned(), a), (name.to_owned(), b)]);
    prop_oneof![
        10 => one(name.to_owned()),
        1 => Just(Vec::new()),
        1 => one(format!("{name}[0]")),
        1 => one(format!("{name}[]")),
        1 => one(format!("{name}[x]")),
        1 => twice,
    ]
    .boxed()
}

/// Fields no function has: unknown names, names of invalid UTF-8, nesting deeper than the
/// decoder allows, a scalar or an array where the struct argument goes.
fn extra_keys(arg: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = [
        "zzz",
        "__proto__[polluted]",
        "constructor[prototype][x]",
        "%FF%FE",
        "%00",
        "a[b][c][d][e][f][g][h]",
        "",
        "[]",
        "a]",
        "a[",
        "csrf",
    ]
    .iter()
    .map(|k| (*k).to_owned())
    .collect();
    keys.push("k".repeat(10_000));
    if let Some(arg) = arg {
        keys.extend([
            arg.to_owned(),
            format!("{arg}[]"),
            format!("{arg}[0]"),
            format!("{arg}[zzz]"),
        ]);
    }
    keys
}

fn case_strategy(fields: Fields) -> BoxedStrategy<Case> {
    let arg = fields
        .iter()
        .find_map(|(name, _)| name.split_once('[').map(|(arg, _)| arg));
    let parts: Vec<_> = fields
        .iter()
        .map(|(name, kind)| field(name, *kind))
        .collect();
    let extras =
        proptest::collection::vec((select(extra_keys(arg)), select(HOSTILE.clone())), 0..3);
    let form = (parts, extras).prop_map(|(parts, extras)| Case {
        parts: parts.into_iter().flatten().chain(extras).collect(),
        body: None,
    });
    let odd = select(BODIES.clone()).prop_map(|body| Case {
        parts: Vec::new(),
        body: Some(body),
    });
    prop_oneof![8 => form, 1 => odd].boxed()
}

/// `n` values of a strategy, drawn with proptest's fixed-seed ChaCha generator: the same
/// requests on every run and every machine.
fn draw<T: fmt::Debug>(strategy: &BoxedStrategy<T>, n: u32) -> Result<Vec<T>, String> {
    let config = Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    (0..n)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .map(|tree| tree.current())
                .map_err(|why| format!("cannot draw a case: {why}"))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Callers and requests
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Officer,
    Resident,
    Mediator,
    Leader,
    Volunteer,
    Liaison,
    StationMember,
    /// 辅警 of the first community's anti-fraud team.
    Auxiliary,
    /// 安德机械's contact.
    Contact,
    Visitor,
}

impl Who {
    fn phone(self) -> Option<&'static str> {
        match self {
            Who::Officer => Some("13900000201"),
            Who::Resident => Some("13900000001"),
            Who::Mediator => Some("13900000101"),
            Who::Leader => Some("13900000302"),
            Who::Volunteer => Some("13900000311"),
            Who::Liaison => Some("13900000401"),
            Who::StationMember => Some("13900000501"),
            Who::Auxiliary => Some(domain::demo::AUXILIARY_PHONE),
            Who::Contact => Some(domain::demo::ENTERPRISE_CONTACT_PHONE),
            Who::Visitor => None,
        }
    }

    /// The functions this caller runs beyond what anyone signed in can call.
    fn runs(self, path: &str) -> bool {
        match self {
            Who::Mediator => path.starts_with("mediation/"),
            Who::Leader => path.starts_with("volunteers") && !path.starts_with("volunteers/help"),
            Who::Volunteer => {
                path.starts_with("volunteers/help")
                    || path == "volunteers/shift"
                    || path == "volunteers/ranking"
            }
            Who::Liaison => path.starts_with("teahouse/"),
            Who::StationMember => path.starts_with("board/"),
            Who::Auxiliary => path.starts_with("antifraud"),
            Who::Contact => path.starts_with("enterprise"),
            Who::Officer | Who::Resident | Who::Visitor => true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Transport {
    /// A browser without JavaScript: the token in the body, `Accept: text/html`, errors as
    /// a redirect back to the form.
    Form,
    /// A script or an island: the token in `x-csrf-token`, answers in JSON with the status.
    Script,
}

#[derive(Clone)]
struct Agent {
    who: Who,
    router: Router,
    cookie: String,
    csrf: String,
}

async fn agent(portal: &Portal, who: Who) -> Result<Agent, Error> {
    let browser = match who.phone() {
        Some(phone) => portal.sign_in(phone, domain::demo::DEMO_PASSWORD).await?,
        None => {
            let mut browser = portal.browser();
            browser.get("/login").await?;
            browser
        }
    };
    let cookie = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    Ok(Agent {
        who,
        router: portal.router.clone(),
        cookie,
        csrf: browser.csrf(),
    })
}

/// Where the fuzzing requests come from: not the address `common::Browser` signs in from,
/// so that the throttling the garbage sign-ins earn does not lock the sign-ins out.
fn address() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], 50_001))
}

fn post(
    agent: &Agent,
    path: &str,
    body: String,
    transport: Transport,
) -> Result<Request<Body>, Error> {
    let builder = Request::post(format!("/api/{path}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &agent.cookie);
    let mut request = match transport {
        Transport::Form => {
            let body = if body.is_empty() {
                format!("csrf={}", agent.csrf)
            } else {
                format!("csrf={}&{body}", agent.csrf)
            };
            builder
                .header(header::ACCEPT, "text/html")
                .header(header::REFERER, "http://127.0.0.1:3000/fuzz")
                .body(Body::from(body))?
        }
        Transport::Script => builder
            .header("x-csrf-token", &agent.csrf)
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))?,
    };
    request.extensions_mut().insert(ConnectInfo(address()));
    Ok(request)
}

fn get(agent: &Agent, path: &str, query: &str) -> Result<Request<Body>, Error> {
    let mut request = Request::get(format!("/api/{path}?{query}"))
        .header(header::COOKIE, &agent.cookie)
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())?;
    request.extensions_mut().insert(ConnectInfo(address()));
    Ok(request)
}

struct Answer {
    status: axum::http::StatusCode,
    location: String,
    body: String,
}

/// Sends a request on a task of its own, so that a panic in a handler is caught and
/// reported rather than taking the test down with it.
async fn call(router: &Router, request: Request<Body>) -> Result<Answer, String> {
    let router = router.clone();
    let task = tokio::spawn(async move {
        let response = router
            .oneshot(request)
            .await
            .map_err(|e| format!("router error: {e}"))?;
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body error: {e}"))?
            .to_bytes();
        Ok(Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    });
    match tokio::time::timeout(Duration::from_secs(30), task).await {
        Err(_) => Err("no answer within 30 s".to_owned()),
        Ok(Err(join)) if join.is_panic() => {
            let payload = join.into_panic();
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("panicked: {message}"))
        }
        Ok(Err(join)) => Err(format!("task failed: {join}")),
        Ok(Ok(answer)) => answer,
    }
}

/// The error a form post came back with, from the `__err` of its redirect.
fn redirect_error(location: &str) -> Option<AppError> {
    let start = location.find("__err=")? + "__err=".len();
    let encoded = location[start..].split('&').next()?;
    Some(ServerFnUrlError::<AppError>::decode_err(&decoded(encoded)))
}

/// How a request was answered, in a word: the error (of the redirect for a form, of the
/// body for a script) or the status.
fn outcome(answer: &Result<Answer, String>) -> String {
    match answer {
        Err(_) => "no answer".to_owned(),
        Ok(answer) => match redirect_error(&answer.location) {
            Some(error) => format!("{error:?}"),
            None if answer.status.is_success() || answer.status.is_redirection() => {
                "done".to_owned()
            }
            None => match serde_json::from_str::<AppError>(&answer.body) {
                Ok(error) => format!("{error:?}"),
                Err(_) => answer.status.as_u16().to_string(),
            },
        },
    }
}

/// What is wrong with an answer, if anything.
fn judge(answer: Result<Answer, String>) -> Option<String> {
    let answer = match answer {
        Ok(answer) => answer,
        Err(why) => return Some(why),
    };
    if answer.status.is_server_error() {
        return Some(format!(
            "answered {}: {}",
            answer.status,
            short(&answer.body)
        ));
    }
    // A request the layers in front refuse never reaches the function: the fuzzing would be
    // blind there (a mistake of this file, not of the portal).
    if answer.body.contains("请刷新后重试") || answer.body.contains("操作太频繁了") {
        return Some(format!(
            "(fuzzer) refused by the CSRF or rate-limit layer with {}, never reached the function",
            answer.status
        ));
    }
    let error = redirect_error(&answer.location)?;
    error.status().is_server_error().then(|| {
        format!(
            "redirected back with {error:?}, a {} the browser never sees",
            error.status()
        )
    })
}

// ---------------------------------------------------------------------------------------
// The database, before and after
// ---------------------------------------------------------------------------------------

type Row = Vec<Option<String>>;

struct Schema {
    backend: DbBackend,
    tables: Vec<(String, Vec<String>)>,
}

/// Every row of every table, as text, sorted.
struct Snapshot(BTreeMap<String, Vec<Row>>);

async fn schema(db: &DatabaseConnection) -> Result<Schema, Error> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position"
        }
        _ => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
        }
    };
    let mut tables: Vec<(String, Vec<String>)> = Vec::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await?
    {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        match tables.last_mut() {
            Some((name, columns)) if *name == table => columns.push(column),
            _ => tables.push((table, vec![column])),
        }
    }
    if tables.len() < 30 {
        return Err(format!("only {} tables found", tables.len()).into());
    }
    Ok(Schema { backend, tables })
}

/// The tables `may_change` names columns of: read column by column. The others are read a
/// row at a time, as one text: several times faster, and every batch takes a snapshot.
const READ_BY_COLUMN: &[&str] = &["sessions", "login_attempts", "inbox_messages"];

/// Every row of every table; `by_column` reads every table column by column (for the
/// checks of stored values at the start and the end).
async fn snapshot(
    db: &DatabaseConnection,
    schema: &Schema,
    by_column: bool,
) -> Result<Snapshot, Error> {
    let mut all = BTreeMap::new();
    for (table, columns) in &schema.tables {
        let whole = !by_column && !READ_BY_COLUMN.contains(&table.as_str());
        let sql = match (whole, schema.backend) {
            (true, DbBackend::Postgres) => {
                format!("SELECT CAST(fuzz_row AS TEXT) FROM \"{table}\" AS fuzz_row")
            }
            (true, _) => {
                let list = columns
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || ',' || ");
                format!("SELECT {list} FROM \"{table}\"")
            }
            (false, _) => {
                let list = columns
                    .iter()
                    .map(|c| format!("CAST(\"{c}\" AS TEXT)"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("SELECT {list} FROM \"{table}\"")
            }
        };
        let width = if whole { 1 } else { columns.len() };
        let mut rows = Vec::new();
        for row in db
            .query_all_raw(Statement::from_string(schema.backend, sql))
            .await?
        {
            rows.push(
                (0..width)
                    .map(|i| row.try_get_by_index::<Option<String>>(i))
                    .collect::<Result<Row, _>>()?,
            );
        }
        rows.sort();
        all.insert(table.clone(), rows);
    }
    Ok(Snapshot(all))
}

fn show_row(columns: &[String], row: &Row) -> String {
    let text = if row.len() == columns.len() {
        columns
            .iter()
            .zip(row)
            .map(|(c, v)| format!("{c}={}", v.as_deref().map(short).unwrap_or("NULL".into())))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        format!(
            "({}) = {}",
            columns.join(", "),
            row.iter().flatten().cloned().collect::<String>()
        )
    };
    short_to(&text, 400)
}

fn short_to(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>())
    }
}

/// What changed between two snapshots, table by table, except what one of `paths` may change.
fn changes(schema: &Schema, before: &Snapshot, after: &Snapshot, paths: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (table, columns) in &schema.tables {
        let may = |c: &str| paths.iter().any(|path| may_change(path, table, c));
        let mask = |rows: Option<&Vec<Row>>| {
            let mut counted: BTreeMap<Row, i64> = BTreeMap::new();
            for row in rows.into_iter().flatten() {
                let masked = row
                    .iter()
                    .zip(columns)
                    .map(|(v, c)| if may(c) { None } else { v.clone() })
                    .collect();
                *counted.entry(masked).or_default() += 1;
            }
            counted
        };
        if columns.iter().all(|c| may(c)) {
            continue;
        }
        let old = mask(before.0.get(table));
        let new = mask(after.0.get(table));
        if old == new {
            continue;
        }
        let added: Vec<&Row> = new
            .iter()
            .filter(|(row, n)| old.get(*row).copied().unwrap_or(0) < **n)
            .map(|(row, _)| row)
            .collect();
        let removed = old
            .iter()
            .filter(|(row, n)| new.get(*row).copied().unwrap_or(0) < **n)
            .count();
        let rows = |m: &BTreeMap<Row, i64>| m.values().sum::<i64>();
        found.push(format!(
            "{table}: {} rows before, {} after, {} new or changed{}",
            rows(&old),
            rows(&new),
            added.len(),
            added
                .first()
                .map(|row| format!(", e.g. {}", show_row(columns, row)))
                .unwrap_or_else(|| format!(", {removed} gone"))
        ));
    }
    found
}

/// Stored values the rules would never let in: over-long, or holding control characters.
fn stored_garbage(schema: &Schema, snapshot: &Snapshot) -> BTreeSet<(String, String, String)> {
    let mut found = BTreeSet::new();
    for (table, columns) in &schema.tables {
        for row in snapshot.0.get(table).into_iter().flatten() {
            for (column, value) in columns.iter().zip(row) {
                let Some(value) = value else { continue };
                let length = value.chars().count();
                let what = if length > LONGEST_ALLOWED {
                    format!("a {length}-character value")
                } else if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\n') {
                    format!("a control character U+{:04X}", c as u32)
                } else {
                    continue;
                };
                found.insert((format!("{table}.{column}"), what, short(value)));
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------
// Running batches
// ---------------------------------------------------------------------------------------

/// Problems found, each with how often it showed and one request that showed it.
#[derive(Default)]
struct Findings(BTreeMap<String, (usize, String)>);

impl Findings {
    fn add(&mut self, what: String, example: String) {
        self.0.entry(what).or_insert((0, example)).0 += 1;
    }
}

struct Fuzz {
    portal: Portal,
    db: DatabaseConnection,
    schema: Schema,
    baseline: Snapshot,
    /// The database as the last batch left it, when nothing ran since.
    last: Option<Snapshot>,
    findings: Findings,
    requests: usize,
    started: Instant,
    /// Time spent reading the database, for the timing line.
    reading: Duration,
    /// How the requests were answered: how far the garbage got.
    outcomes: BTreeMap<String, usize>,
}

impl Fuzz {
    async fn start() -> Result<Fuzz, Error> {
        let started = Instant::now();
        // The limits per address would answer all but the first 60 writes of a minute with
        // 429 before any server function sees them; they have tests of their own.
        let portal = common::portal_with(server::config::WebSettings {
            limits: app::state::AddressLimits {
                requests_per_minute: u32::MAX,
                writes_per_minute: u32::MAX,
            },
            ..Default::default()
        })
        .await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let schema = schema(&db).await?;
        let baseline = snapshot(&db, &schema, true).await?;
        Ok(Fuzz {
            portal,
            db,
            schema,
            baseline,
            last: None,
            findings: Findings::default(),
            requests: 0,
            started,
            reading: Duration::ZERO,
            outcomes: BTreeMap::new(),
        })
    }

    /// A caller signed in now: signing in writes a session, so the last snapshot is stale.
    async fn agent(&mut self, who: Who) -> Result<Agent, Error> {
        self.last = None;
        agent(&self.portal, who).await
    }

    async fn current(&mut self) -> Result<Snapshot, Error> {
        match self.last.take() {
            Some(snapshot) => Ok(snapshot),
            None => self.snapshot().await,
        }
    }

    async fn snapshot(&mut self) -> Result<Snapshot, Error> {
        let start = Instant::now();
        let taken = snapshot(&self.db, &self.schema, false).await;
        self.reading += start.elapsed();
        taken
    }

    async fn send(&mut self, agent: &Agent, path: &str, case: &Case, transport: Transport) {
        self.requests += 1;
        let request = post(agent, path, case.body(), transport)
            .map_err(|e| format!("cannot build the request: {e}"));
        let answer = match request {
            Ok(request) => call(&agent.router, request).await,
            Err(e) => Err(e),
        };
        *self.outcomes.entry(outcome(&answer)).or_default() += 1;
        if let Some(problem) = judge(answer) {
            let how = match transport {
                Transport::Form => "form",
                Transport::Script => "script",
            };
            self.findings.add(
                format!("{:?} POST /api/{path} ({how}): {problem}", agent.who),
                case.describe(),
            );
        }
    }

    /// Sends the cases of each function of `group` and checks that nothing was written;
    /// when something was, sends them again one by one to name the requests that write.
    async fn batch(
        &mut self,
        agent: &Agent,
        group: &[(&str, Vec<Case>)],
        transport: Transport,
        what: &str,
    ) -> Result<(), Error> {
        let paths: Vec<&str> = group.iter().map(|(path, _)| *path).collect();
        let before = self.current().await?;
        for (path, cases) in group {
            for case in cases {
                self.send(agent, path, case, transport).await;
            }
        }
        let after = self.snapshot().await?;
        let changed = changes(&self.schema, &before, &after, &paths);
        self.last = Some(after);
        if changed.is_empty() {
            return Ok(());
        }
        let mut culprits: Vec<(&str, String, Vec<String>)> = Vec::new();
        'search: for (path, cases) in group {
            for case in cases {
                let before = self.current().await?;
                self.send(agent, path, case, transport).await;
                let after = self.snapshot().await?;
                let wrote = changes(&self.schema, &before, &after, &[path]);
                self.last = Some(after);
                if !wrote.is_empty() {
                    culprits.push((path, case.describe(), wrote));
                    if culprits.len() == 3 {
                        break 'search;
                    }
                }
            }
        }
        if culprits.is_empty() {
            self.findings.add(
                format!(
                    "{:?} POST to {} wrote with {what}: {}",
                    agent.who,
                    paths.join(", "),
                    changed.join("; ")
                ),
                "(not repeated when sent again one by one)".to_owned(),
            );
        }
        for (path, case, wrote) in culprits {
            self.findings.add(
                format!(
                    "{:?} POST /api/{path} wrote with {what}: {}",
                    agent.who,
                    wrote.join("; ")
                ),
                case,
            );
        }
        Ok(())
    }

    /// The garbage batches of every function the caller may reach, a few functions to a
    /// snapshot of the database (reading it is the slowest part).
    async fn garbage_everywhere(
        &mut self,
        agent: &Agent,
        transport: Transport,
        n: u32,
    ) -> TestResult {
        let mut group = Vec::new();
        for (path, fields) in POSTS.iter().filter(|(path, _)| agent.who.runs(path)) {
            let cases = draw(&case_strategy(fields), n)?;
            if *path == "logout" {
                // Signing out ends the session: do it with a session of its own.
                let own = self.agent(agent.who).await?;
                self.batch(&own, &[(path, cases)], transport, "garbage input")
                    .await?;
                continue;
            }
            if matches!(*path, "login" | "inbox") {
                // Alone, so that what they may change is excused for them only.
                self.batch(agent, &[(path, cases)], transport, "garbage input")
                    .await?;
                continue;
            }
            group.push((*path, cases));
            if group.len() == GROUP {
                self.batch(agent, &group, transport, "garbage input")
                    .await?;
                group.clear();
            }
        }
        if !group.is_empty() {
            self.batch(agent, &group, transport, "garbage input")
                .await?;
        }
        Ok(())
    }

    /// The deep batches of one template: real identifiers with one rule broken (nothing may
    /// be written), then all valid with hostile-but-acceptable text (writes are fine).
    async fn deep(&mut self, agent: &Agent, deep: &Deep) -> Result<(), Error> {
        let mut fixed = Vec::new();
        let mut fuzzed = Vec::new();
        for field in deep.fields {
            match field {
                F::Fixed(name, source) => match self.resolve(*source).await? {
                    Some(value) => fixed.push(((*name).to_owned(), value)),
                    None => {
                        return Err(format!(
                            "deep template {}: the demo data has no value for {name}",
                            deep.path
                        )
                        .into());
                    }
                },
                F::Text(name, min, max) => fuzzed.push(text_field(name, *min, *max)),
                F::Choice(name, valid, invalid, edge) => fuzzed.push(Fuzzed {
                    name,
                    valid: valid.iter().map(|r| wire(r)).collect(),
                    invalid: invalid.iter().map(|r| wire(r)).collect(),
                    edge: edge.iter().map(|r| wire(r)).collect(),
                }),
            }
        }
        let (broken, valid) = deep_cases(fixed, fuzzed, deep.writes)
            .map_err(|why| format!("deep template {}: {why}", deep.path))?;
        self.batch(
            agent,
            &[(deep.path, broken)],
            Transport::Form,
            "a broken rule",
        )
        .await?;
        for case in &valid {
            self.send(agent, deep.path, case, Transport::Form).await;
        }
        if !valid.is_empty() {
            self.last = None;
        }
        Ok(())
    }

    async fn resolve(&self, source: Src) -> Result<Option<Value>, Error> {
        let shanghai = chrono::FixedOffset::east_opt(8 * 3600).ok_or("no UTC+8")?;
        let local =
            |days: i64| chrono::Utc::now().with_timezone(&shanghai) + chrono::Duration::days(days);
        Ok(match source {
            Src::Lit(raw) => Some(wire(raw)),
            Src::Day(days) => Some(text(&local(days).format("%Y-%m-%d").to_string())),
            Src::Minute(days) => Some(text(&local(days).format("%Y-%m-%dT%H:%M").to_string())),
            Src::Sql(sql) => self
                .db
                .query_one_raw(Statement::from_string(self.schema.backend, sql.to_owned()))
                .await?
                .map(|row| row.try_get_by_index::<Option<String>>(0))
                .transpose()?
                .flatten()
                .map(|v| text(&v)),
        })
    }

    /// The findings so far and the stored-garbage check over the whole database.
    async fn finish(mut self, what: &str) -> TestResult {
        let end = snapshot(&self.db, &self.schema, true).await?;
        let before = stored_garbage(&self.schema, &self.baseline);
        for (column, what, value) in stored_garbage(&self.schema, &end) {
            if !before.contains(&(column.clone(), what.clone(), value.clone())) {
                self.findings
                    .add(format!("stored {what} in {column}"), format!("`{value}`"));
            }
        }
        // Straight to stderr: output printed on the runtime's threads is lost to the harness.
        let timing = format!(
            "{what} on {}: {} requests in {:.1} s, {:.1} s of it reading the database\n",
            domain::testing::engine(),
            self.requests,
            self.started.elapsed().as_secs_f64(),
            self.reading.as_secs_f64()
        );
        std::io::stderr().write_all(timing.as_bytes()).ok();
        let outcomes = format!("{what}: answers {:?}\n", self.outcomes);
        std::io::stderr().write_all(outcomes.as_bytes()).ok();
        if self.findings.0.is_empty() {
            return Ok(());
        }
        let report = self
            .findings
            .0
            .iter()
            .map(|(what, (n, example))| {
                format!("- {what}\n    {n}× — e.g. {}", short_to(example, 600))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let report = format!("{what}: {} findings\n{report}", self.findings.0.len());
        std::io::stderr().write_all(report.as_bytes()).ok();
        Err(report.into())
    }
}

/// The cases of a deep template: each breaks at least one rule; then, where writes are
/// fine, cases that break none.
fn deep_cases(
    fixed: Vec<(String, Value)>,
    fuzzed: Vec<Fuzzed>,
    writes: bool,
) -> Result<(Vec<Case>, Vec<Case>), String> {
    let breakable: Vec<usize> = (0..fuzzed.len())
        .filter(|i| !fuzzed[*i].invalid.is_empty())
        .collect();
    if breakable.is_empty() {
        return Err("no rule to break".to_owned());
    }
    let fixed_parts = fixed.clone();
    let fields = fuzzed.clone();
    let broken = (
        select(breakable),
        fuzzed
            .iter()
            .map(|f| {
                (
                    pick(&f.valid, &f.invalid),
                    pick(&f.invalid, &f.valid),
                    proptest::bool::weighted(0.2),
                )
            })
            .collect::<Vec<_>>(),
    )
        .prop_map(move |(poisoned, picks)| Case {
            parts: fixed_parts
                .iter()
                .cloned()
                .chain(picks.into_iter().enumerate().map(|(i, (good, bad, also))| {
                    let f = &fields[i];
                    let bad_here = i == poisoned || also || f.valid.is_empty();
                    (f.name.to_owned(), if bad_here { bad } else { good })
                }))
                .collect(),
            body: None,
        })
        .boxed();
    // Every refused value of every field once, alone among valid ones; then drawn mixtures.
    let mut alone = Vec::new();
    for (i, field) in fuzzed.iter().enumerate() {
        for bad in &field.invalid {
            let parts = fuzzed.iter().enumerate().map(|(j, f)| {
                let value = if i == j {
                    bad.clone()
                } else {
                    f.valid
                        .first()
                        .or(f.invalid.first())
                        .cloned()
                        .unwrap_or_else(|| text(""))
                };
                (f.name.to_owned(), value)
            });
            alone.push(Case {
                parts: fixed.iter().cloned().chain(parts).collect(),
                body: None,
            });
        }
    }
    let broken = alone
        .into_iter()
        .chain(draw(&broken, DEEP_BROKEN)?)
        .collect();
    if !writes || fuzzed.iter().any(|f| f.valid.is_empty()) {
        return Ok((broken, Vec::new()));
    }
    let valid = fuzzed
        .iter()
        .map(|f| {
            let mut values = f.valid.clone();
            values.extend(f.edge.iter().cloned());
            select(values)
        })
        .collect::<Vec<_>>()
        .prop_map(move |values| Case {
            parts: fixed
                .iter()
                .cloned()
                .chain(
                    fuzzed
                        .iter()
                        .zip(values)
                        .map(|(f, v)| (f.name.to_owned(), v)),
                )
                .collect(),
            body: None,
        })
        .boxed();
    Ok((broken, draw(&valid, DEEP_VALID)?))
}

fn pick(values: &[Value], otherwise: &[Value]) -> BoxedStrategy<Value> {
    let values = if values.is_empty() { otherwise } else { values };
    select(values.to_vec()).boxed()
}

// ---------------------------------------------------------------------------------------
// Deep templates: real identifiers, one rule broken
// ---------------------------------------------------------------------------------------

/// Where a fixed field's value comes from.
#[derive(Clone, Copy, Debug)]
enum Src {
    /// As written (raw form encoding).
    Lit(&'static str),
    /// The first column of the first row of a query on the demo data.
    Sql(&'static str),
    /// A local date (Asia/Shanghai) this many days from now, `YYYY-MM-DD`.
    Day(i64),
    /// A local date and time this many days from now, `YYYY-MM-DDTHH:MM`.
    Minute(i64),
}

#[derive(Clone, Copy, Debug)]
enum F {
    Fixed(&'static str, Src),
    /// Free text and the bounds of its rule, in characters after cleaning.
    Text(&'static str, usize, usize),
    /// Values the rules accept, values they refuse, and odd values that they may or may not
    /// accept (sent only where writing is fine).
    Choice(
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    ),
}

#[derive(Clone)]
struct Fuzzed {
    name: &'static str,
    valid: Vec<Value>,
    invalid: Vec<Value>,
    edge: Vec<Value>,
}

const BASE_TEXT: &str = "楼上邻居家漏水已经很久了麻烦帮忙协调一下谢谢大家";

fn text_field(name: &'static str, min: usize, max: usize) -> Fuzzed {
    let n = min.max(max.min(12));
    let base: String = BASE_TEXT.chars().cycle().take(n).collect();
    let mut valid = vec![text(&base)];
    if min == 0 {
        valid.push(text(""));
    }
    valid.extend(
        PLAUSIBLE
            .iter()
            .filter(|v| (min..=max).contains(&cleaned_length(&v.raw)))
            .cloned(),
    );
    let mut invalid = LONG.clone();
    invalid.push(big(&format!("x×{}", max + 1), "x".repeat(max + 1)));
    if min > 0 {
        invalid.extend(["", "%00%01%1B", "+++"].iter().map(|r| wire(r)));
    }
    Fuzzed {
        name,
        valid,
        invalid,
        edge: Vec::new(),
    }
}

struct Deep {
    who: Who,
    path: &'static str,
    fields: &'static [F],
    /// Whether the all-valid batch runs (its writes are fine).
    writes: bool,
}

const OPEN_THREAD: Src = Src::Sql(
    "SELECT CAST(MIN(id) AS TEXT) FROM threads \
     WHERE status = 'open' AND locked = FALSE AND hidden = FALSE AND board_id = 1",
);
const POST_IN_OPEN_THREAD: Src = Src::Sql(
    "SELECT CAST(MIN(id) AS TEXT) FROM posts WHERE thread_id = (SELECT MIN(id) FROM threads \
     WHERE status = 'open' AND locked = FALSE AND hidden = FALSE AND board_id = 1)",
);
const MAIN_ROOM: Src = Src::Sql(
    "SELECT CAST(MIN(room_id) AS TEXT) FROM room_mediators \
     WHERE user_id = (SELECT id FROM users WHERE phone = '13900000101')",
);
const ACCEPTED_IN_MAIN_ROOM: Src = Src::Sql(
    "SELECT MIN(code) FROM mediation_cases WHERE status = 'accepted' AND room_id = \
     (SELECT MIN(room_id) FROM room_mediators \
      WHERE user_id = (SELECT id FROM users WHERE phone = '13900000101'))",
);
/// Today's date as the database has it (in UTC: at most a day behind Ningbo's, which a
/// visit and a loss both accept).
const TODAY: Src = Src::Sql("SELECT CAST(CURRENT_DATE AS TEXT)");
const TEAM_COMMUNITY: Src = Src::Sql(
    "SELECT CAST(MIN(community_id) AS TEXT) FROM fraud_team_members \
     WHERE user_id = (SELECT id FROM users WHERE phone = '13900000601')",
);
const TEAM_HOUSEHOLD: Src = Src::Sql(
    "SELECT CAST(MIN(households.id) AS TEXT) FROM households \
     JOIN compounds ON compounds.id = households.compound_id \
     WHERE compounds.community_id = (SELECT MIN(community_id) FROM fraud_team_members \
     WHERE user_id = (SELECT id FROM users WHERE phone = '13900000601'))",
);
const CLOCKS_BAD: &[&str] = &[
    "99999999999999999999",
    "1e309",
    "NaN",
    "abc",
    "%00",
    "-1",
    "24%3A30",
];
const AMOUNTS_BAD: &[&str] = &[
    "-1",
    "99999999999999999999",
    "9223372036854775807",
    "1e309",
    "NaN",
    "abc",
    "%00",
];
const RATINGS_BAD: &[&str] = &[
    "0",
    "6",
    "-1",
    "99999999999999999999",
    "NaN",
    "1e309",
    "%00",
];

const DEEP: &[Deep] = &[
    // An auxiliary's register, on a household and the community of their team.
    Deep {
        who: Who::Auxiliary,
        path: "antifraud/visit",
        fields: &[
            F::Fixed("household_id", TEAM_HOUSEHOLD),
            F::Fixed("visit[visited_on]", TODAY),
            F::Fixed("visit[app_installed]", Src::Lit("on")),
            F::Choice(
                "visit[follow_up_on]",
                &[""],
                &["2000-01-01", "9999-12-31", "2026-02-30", "abc", "%00", "-1"],
                &[],
            ),
        ],
        writes: true,
    },
    Deep {
        who: Who::Auxiliary,
        path: "antifraud/loss",
        fields: &[
            F::Fixed("loss[community_id]", TEAM_COMMUNITY),
            F::Fixed("loss[occurred_on]", TODAY),
            F::Choice("loss[amount_yuan]", &["8000", "12%2C345"], AMOUNTS_BAD, &[]),
            F::Choice("loss[scam]", &["romance"], &["", "scam", "%00"], &[]),
        ],
        writes: true,
    },
    // An enterprise contact's request, within the few a contact may have open.
    Deep {
        who: Who::Contact,
        path: "enterprise/request",
        fields: &[F::Text("title", 4, 80), F::Text("body", 10, 2000)],
        writes: true,
    },
    // A resident's forms.
    Deep {
        who: Who::Resident,
        path: "teahouse/reply",
        fields: &[
            F::Fixed("reply[thread_id]", OPEN_THREAD),
            F::Fixed("reply[anonymous]", Src::Lit("on")),
            F::Text("reply[body]", 2, 5000),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "teahouse/start",
        fields: &[
            F::Fixed("thread[board_id]", Src::Lit("1")),
            F::Fixed("thread[anonymous]", Src::Lit("on")),
            F::Text("thread[title]", 4, 60),
            F::Text("thread[body]", 2, 5000),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "teahouse/reply",
        fields: &[
            F::Fixed("reply[thread_id]", OPEN_THREAD),
            F::Fixed("reply[body]", Src::Lit("%E8%B0%A2%E8%B0%A2")),
            F::Text("reply[display_name]", 1, 20),
        ],
        writes: false,
    },
    Deep {
        who: Who::Resident,
        path: "teahouse/flag",
        fields: &[
            F::Fixed("thread_id", OPEN_THREAD),
            F::Fixed("post_id", POST_IN_OPEN_THREAD),
            F::Fixed("reason", Src::Lit("spam")),
            F::Text("note", 0, 200),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "mediation/request",
        fields: &[
            F::Fixed("request[dispute_type]", Src::Lit("neighbours")),
            F::Fixed("request[tried_aid_station]", Src::Lit("no")),
            F::Fixed("request[mode]", Src::Lit("in_person")),
            F::Fixed("request[room]", MAIN_ROOM),
            F::Text("request[account]", 10, 1000),
            F::Text("request[other_party]", 1, 50),
            F::Text("request[other_relation]", 0, 20),
            F::Choice(
                "request[other_phone]",
                &["", "13812345678"],
                &["1381234567899", "abc", "%FF%FE", "99999999999999999999"],
                // Control characters are dropped from a typed number: a NUL alone is none.
                &["%00", "138%00123%004%005678"],
            ),
            F::Choice(
                "request[amount]",
                &["", "12%2C500%E5%85%83", "0"],
                AMOUNTS_BAD,
                &[],
            ),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "volunteers/apply",
        fields: &[
            F::Fixed(
                "application[squad]",
                Src::Sql("SELECT CAST(MIN(id) AS TEXT) FROM squads"),
            ),
            F::Fixed("application[consent]", Src::Lit("on")),
            F::Text("application[name]", 1, 40),
            F::Text("application[hometown]", 2, 60),
            F::Text("application[dialects]", 1, 100),
            F::Text("application[skills]", 0, 200),
            F::Text("application[availability]", 0, 200),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "volunteers/help/ask",
        fields: &[
            F::Text("dialect", 1, 30),
            F::Text("need", 4, 300),
            F::Text("place", 0, 100),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "mediation/book",
        fields: &[
            F::Fixed(
                "code",
                Src::Sql(
                    "SELECT MIN(code) FROM mediation_cases WHERE status = 'booked' AND resident_id = \
                     (SELECT id FROM users WHERE phone = '13900000001')",
                ),
            ),
            F::Choice(
                "starts_at",
                &[],
                &[
                    "9999-12-31T23%3A59%3A59Z",
                    "0000-01-01T00%3A00%3A00Z",
                    "2026-02-30T10%3A00%3A00%2B08%3A00",
                    "1970-01-01T00%3A00%3A00Z",
                    "-1",
                    "99999999999999999999",
                ],
                &[],
            ),
        ],
        writes: false,
    },
    Deep {
        who: Who::Resident,
        path: "mediation/follow-up",
        fields: &[
            F::Fixed(
                "code",
                Src::Sql(
                    "SELECT MIN(code) FROM mediation_cases WHERE status IN ('resolved', 'closed') \
                     AND resident_id = (SELECT id FROM users WHERE phone = '13900000001')",
                ),
            ),
            F::Choice("rating", &["5"], RATINGS_BAD, &[]),
            F::Text("comment", 0, 500),
        ],
        writes: true,
    },
    Deep {
        who: Who::Resident,
        path: "change-password",
        fields: &[
            F::Fixed("old", Src::Lit(domain::demo::DEMO_PASSWORD)),
            F::Choice(
                "new",
                &[],
                &[
                    "",
                    "%00%00%00%00%00%00%00%00%00%00",
                    "short",
                    "12345678",
                    "13900000001x",
                ],
                &[],
            ),
        ],
        writes: false,
    },
    Deep {
        who: Who::Resident,
        path: "change-password",
        fields: &[
            F::Fixed("old", Src::Lit(domain::demo::DEMO_PASSWORD)),
            F::Text("new", 8, 128),
        ],
        writes: false,
    },
    Deep {
        who: Who::Visitor,
        path: "register",
        fields: &[
            F::Fixed("phone", Src::Lit("13712345678")),
            F::Fixed(
                "community",
                Src::Sql("SELECT CAST(MIN(id) AS TEXT) FROM communities"),
            ),
            F::Fixed("consent", Src::Lit("on")),
            F::Text("password", 8, 128),
        ],
        writes: false,
    },
    // An officer's.
    Deep {
        who: Who::Officer,
        path: "board/deadline",
        fields: &[
            F::Choice(
                "deadline[kind]",
                &["walk_in", "patrol"],
                &["gossip", "", "%00", "walk_in%00", "WALK_IN"],
                &[],
            ),
            F::Choice(
                "deadline[stage]",
                &["assigned", "in_progress"],
                &["closed", "", "done", "%FF%FE"],
                &[],
            ),
            F::Choice(
                "deadline[hours]",
                &["1", "48", "8760"],
                &[
                    "0",
                    "-1",
                    "8761",
                    "1.5",
                    "abc",
                    "99999999999999999999",
                    "2147483648",
                ],
                &[],
            ),
            F::Choice("deadline[escalate]", &["on"], &[], &[]),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "board/open",
        fields: &[
            F::Fixed("case[kind]", Src::Lit("walk_in")),
            F::Text("case[title]", 4, 80),
            F::Text("case[summary]", 0, 2000),
            F::Text("case[contact_name]", 0, 50),
            F::Choice(
                "case[contact_phone]",
                &[""],
                &["1381234567899", "abc", "%FF%FE", "99999999999999999999"],
                // Control characters are dropped from a typed number: a NUL alone is none.
                &["%00", "138%00123%004%005678"],
            ),
            F::Choice(
                "case[community_id]",
                &["", "1"],
                &["-1", "99999999999999999999", "abc", "1e309", "2147483647"],
                &[],
            ),
            F::Text("case[household]", 0, 100),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "board/move",
        fields: &[
            F::Fixed(
                "step[code]",
                Src::Sql("SELECT MIN(code) FROM cases WHERE stage = 'in_progress'"),
            ),
            F::Fixed("step[action]", Src::Lit("report")),
            F::Text("step[note]", 2, 1000),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "board/move",
        fields: &[
            F::Fixed(
                "step[code]",
                Src::Sql("SELECT MIN(code) FROM cases WHERE stage = 'intake'"),
            ),
            F::Fixed("step[action]", Src::Lit("household")),
            F::Text("step[note]", 0, 100),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "board/move",
        fields: &[
            F::Fixed(
                "step[code]",
                Src::Sql("SELECT MIN(code) FROM cases WHERE stage = 'closed'"),
            ),
            F::Fixed("step[action]", Src::Lit("reopen")),
            F::Text("step[note]", 2, 200),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "board/move",
        fields: &[
            F::Fixed(
                "step[code]",
                Src::Sql("SELECT MIN(code) FROM cases WHERE stage = 'feedback'"),
            ),
            F::Fixed("step[action]", Src::Lit("close")),
            F::Text("step[feedback]", 0, 1000),
            F::Choice("step[rating]", &["", "5"], RATINGS_BAD, &[]),
            F::Text("step[no_feedback_reason]", 0, 200),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "notices/save",
        fields: &[
            F::Fixed("notice[category]", Src::Lit("fraud")),
            F::Fixed("notice[severity]", Src::Lit("info")),
            F::Fixed("notice[target]", Src::Lit("all")),
            F::Fixed("notice[starts_at]", Src::Minute(0)),
            F::Fixed("notice[expires_at]", Src::Minute(7)),
            F::Text("notice[title]", 2, 100),
            F::Text("notice[body]", 1, 5000),
        ],
        writes: true,
    },
    Deep {
        who: Who::Officer,
        path: "teahouse/to-case",
        fields: &[
            F::Fixed(
                "case[thread_id]",
                Src::Sql(
                    "SELECT CAST(MIN(id) AS TEXT) FROM threads \
                     WHERE mediation_case_id IS NULL AND status = 'open'",
                ),
            ),
            F::Fixed("case[dispute_type]", Src::Lit("neighbours")),
            F::Fixed("case[room_id]", MAIN_ROOM),
            F::Text("case[other_party]", 1, 50),
        ],
        writes: true,
    },
    // The staff's.
    Deep {
        who: Who::Mediator,
        path: "mediation/outcome",
        fields: &[
            F::Fixed("code", ACCEPTED_IN_MAIN_ROOM),
            F::Fixed("outcome", Src::Lit("reached")),
            F::Text("agreement", 0, 1000),
            F::Choice("amount", &["", "100"], AMOUNTS_BAD, &[]),
        ],
        writes: false,
    },
    Deep {
        who: Who::Mediator,
        path: "mediation/escalate",
        fields: &[
            F::Fixed("code", ACCEPTED_IN_MAIN_ROOM),
            F::Choice(
                "level",
                &["station"],
                &["", "nowhere", "%00", "STATION", "station%00"],
                &[],
            ),
            F::Text("reason", 2, 200),
        ],
        writes: false,
    },
    Deep {
        who: Who::Mediator,
        path: "mediation/schedule/save",
        fields: &[
            F::Fixed("room", MAIN_ROOM),
            F::Choice(
                "slot_minutes",
                &["30", "60"],
                &[
                    "-1",
                    "0",
                    "99999999999999999999",
                    "2147483647",
                    "NaN",
                    "1e309",
                ],
                &[],
            ),
            F::Choice(
                "buffer_minutes",
                &["0", "10"],
                &["-1", "99999999999999999999", "2147483647", "NaN"],
                &[],
            ),
            F::Choice(
                "horizon_days",
                &["14", "30"],
                &["-1", "0", "99999999999999999999", "2147483647", "NaN"],
                &[],
            ),
        ],
        writes: true,
    },
    Deep {
        who: Who::Mediator,
        path: "mediation/schedule/add",
        fields: &[
            F::Fixed("room", MAIN_ROOM),
            F::Fixed("kind", Src::Lit("weekly")),
            F::Choice(
                "weekday",
                &["1", "7"],
                &["0", "8", "-1", "99999999999999999999", "2147483647", "NaN"],
                &[],
            ),
            F::Choice(
                "start",
                &["09%3A00"],
                &[
                    "25%3A00",
                    "09%3A60",
                    "-1%3A00",
                    "24%3A01",
                    "99999999999999999999%3A00",
                    "9",
                ],
                &[],
            ),
            F::Choice(
                "end",
                &["11%3A00", "24%3A00"],
                &["24%3A30", "abc", "%00"],
                &[],
            ),
        ],
        writes: true,
    },
    Deep {
        who: Who::Leader,
        path: "volunteers/publish",
        fields: &[
            F::Fixed(
                "shift[squad]",
                Src::Sql(
                    "SELECT CAST(MIN(squad_id) AS TEXT) FROM squad_members WHERE is_leader = TRUE \
                     AND user_id = (SELECT id FROM users WHERE phone = '13900000302')",
                ),
            ),
            F::Fixed("shift[kind]", Src::Lit("shift")),
            F::Fixed("shift[day]", Src::Day(7)),
            F::Fixed("shift[start]", Src::Lit("09%3A00")),
            F::Fixed("shift[end]", Src::Lit("11%3A00")),
            F::Text("shift[title]", 2, 100),
            F::Text("shift[place]", 1, 100),
            F::Text("shift[notes]", 0, 1000),
            F::Choice(
                "shift[min_capacity]",
                &["0", "1"],
                &["-1", "-2147483648", "99999999999999999999", "NaN"],
                &[],
            ),
            F::Choice(
                "shift[max_capacity]",
                &["5", "500"],
                &["0", "501", "-1", "2147483647", "99999999999999999999"],
                &[],
            ),
            // A deadline 245 000 years before the shift is no deadline: refused, not stored
            // (on PostgreSQL, whose timestamps end at 4713 BC, storing it fails with a 500).
            F::Choice(
                "shift[deadline_hours]",
                &["0", "2"],
                &["99999999999999999999", "NaN", "1e309", "abc", "2147483647"],
                &["-1", "-2147483648"],
            ),
            F::Choice(
                "shift[weeks]",
                &["1", "2"],
                &[
                    "0",
                    "27",
                    "-1",
                    "2147483647",
                    "4294967297",
                    "99999999999999999999",
                ],
                &[],
            ),
        ],
        writes: true,
    },
    Deep {
        who: Who::Leader,
        path: "volunteers/publish",
        fields: &[
            F::Fixed(
                "shift[squad]",
                Src::Sql(
                    "SELECT CAST(MIN(squad_id) AS TEXT) FROM squad_members WHERE is_leader = TRUE \
                     AND user_id = (SELECT id FROM users WHERE phone = '13900000302')",
                ),
            ),
            F::Fixed("shift[kind]", Src::Lit("shift")),
            F::Fixed("shift[title]", Src::Lit("%E5%B7%A1%E9%80%BB")),
            F::Fixed("shift[place]", Src::Lit("%E9%97%A8%E5%8F%A3")),
            F::Fixed("shift[min_capacity]", Src::Lit("1")),
            F::Fixed("shift[max_capacity]", Src::Lit("5")),
            F::Fixed("shift[deadline_hours]", Src::Lit("2")),
            F::Fixed("shift[weeks]", Src::Lit("1")),
            F::Choice(
                "shift[day]",
                &[],
                &[
                    "2026-02-30",
                    "0000-00-00",
                    "-1",
                    "99999999999999999999",
                    "abc",
                    "%00",
                ],
                &[],
            ),
            F::Choice(
                "shift[start]",
                &["09%3A00"],
                &["25%3A00", "09%3A60", "-1%3A00", "abc"],
                &[],
            ),
            F::Choice("shift[end]", &["11%3A00"], CLOCKS_BAD, &[]),
        ],
        writes: false,
    },
    Deep {
        who: Who::Leader,
        path: "volunteers/publish",
        fields: &[
            F::Fixed(
                "shift[squad]",
                Src::Sql(
                    "SELECT CAST(MIN(squad_id) AS TEXT) FROM squad_members WHERE is_leader = TRUE \
                     AND user_id = (SELECT id FROM users WHERE phone = '13900000302')",
                ),
            ),
            F::Fixed("shift[kind]", Src::Lit("shift")),
            F::Fixed("shift[title]", Src::Lit("%E5%B7%A1%E9%80%BB")),
            F::Fixed("shift[place]", Src::Lit("%E9%97%A8%E5%8F%A3")),
            F::Fixed("shift[start]", Src::Lit("09%3A00")),
            F::Fixed("shift[end]", Src::Lit("11%3A00")),
            F::Fixed("shift[min_capacity]", Src::Lit("1")),
            F::Fixed("shift[max_capacity]", Src::Lit("5")),
            F::Fixed("shift[deadline_hours]", Src::Lit("2")),
            F::Fixed("shift[weeks]", Src::Lit("1")),
            // Dates at the edge of what the calendar holds: refused or stored, never a panic.
            F::Choice(
                "shift[day]",
                &["2099-01-01"],
                &["2026-02-30", "1900-01-01"],
                &[
                    "262142-12-31",
                    "+262143-12-31",
                    "-262144-01-01",
                    "9999-12-31",
                ],
            ),
        ],
        writes: true,
    },
    Deep {
        who: Who::Liaison,
        path: "teahouse/moderate-thread",
        fields: &[
            F::Fixed(
                "thread_id",
                Src::Sql(
                    "SELECT CAST(MIN(t.id) AS TEXT) FROM threads t \
                     JOIN boards b ON b.id = t.board_id \
                     JOIN liaison_members m ON m.liaison_room_id = b.liaison_room_id \
                     WHERE m.user_id = (SELECT id FROM users WHERE phone = '13900000401')",
                ),
            ),
            F::Choice(
                "action",
                &["lock", "unlock"],
                &["", "LOCK", "lock%00", "drop", "99999999999999999999"],
                &[],
            ),
            F::Text("note", 0, 200),
        ],
        writes: true,
    },
    // The counter: an officer registers a resident, naming themselves as the witness.
    Deep {
        who: Who::Officer,
        path: "counter/register",
        fields: &[
            F::Fixed("phone", Src::Lit("13800007777")),
            F::Fixed("community", Src::Lit("1")),
            F::Fixed("compound", Src::Lit("")),
            F::Fixed("consent", Src::Lit("on")),
            F::Text("witness", 2, 20),
        ],
        writes: true,
    },
    // A new password with a code: a weak or over-long one is refused before the try is
    // counted; the others are wrong codes, recorded for the throttle. (Not the fuzzing
    // resident's number, whose sign-ins the throttle would stop.)
    Deep {
        who: Who::Visitor,
        path: "reset",
        fields: &[
            F::Fixed("phone", Src::Lit("13900000002")),
            F::Fixed("code", Src::Lit("ABCD-EFGH")),
            F::Text("password", 8, 128),
        ],
        writes: true,
    },
];

async fn deep_for(fuzz: &mut Fuzz, agent: &Agent) -> TestResult {
    for deep in DEEP.iter().filter(|d| d.who == agent.who) {
        fuzz.deep(agent, deep).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

#[test]
fn an_officer_posting_garbage_gets_no_5xx_and_writes_nothing() -> TestResult {
    run(async {
        let mut fuzz = Fuzz::start().await?;
        let officer = fuzz.agent(Who::Officer).await?;
        fuzz.garbage_everywhere(&officer, Transport::Form, CASES)
            .await?;
        deep_for(&mut fuzz, &officer).await?;
        fuzz.finish("officer").await
    })
}

#[test]
fn a_resident_posting_garbage_gets_no_5xx_and_writes_nothing() -> TestResult {
    run(async {
        let mut fuzz = Fuzz::start().await?;
        let resident = fuzz.agent(Who::Resident).await?;
        fuzz.garbage_everywhere(&resident, Transport::Form, CASES)
            .await?;
        deep_for(&mut fuzz, &resident).await?;
        let visitor = fuzz.agent(Who::Visitor).await?;
        deep_for(&mut fuzz, &visitor).await?;
        fuzz.finish("resident").await
    })
}

/// The functions that stop officers and residents at the door, fuzzed as the staff who
/// run them, so that the garbage reaches the parsing behind the door.
#[test]
fn staff_posting_garbage_to_their_own_functions_get_no_5xx_and_write_nothing() -> TestResult {
    run(async {
        let mut fuzz = Fuzz::start().await?;
        for who in [
            Who::Mediator,
            Who::Leader,
            Who::Volunteer,
            Who::Liaison,
            Who::StationMember,
            Who::Auxiliary,
            Who::Contact,
        ] {
            let staff = fuzz.agent(who).await?;
            fuzz.garbage_everywhere(&staff, Transport::Form, CASES / 2)
                .await?;
            deep_for(&mut fuzz, &staff).await?;
        }
        fuzz.finish("staff").await
    })
}

/// The same garbage from a script: the answer is JSON with the status of the error, which
/// must be a 4xx, never a 5xx.
#[test]
fn scripts_posting_garbage_get_a_4xx_not_a_5xx() -> TestResult {
    run(async {
        let mut fuzz = Fuzz::start().await?;
        let officer = fuzz.agent(Who::Officer).await?;
        fuzz.garbage_everywhere(&officer, Transport::Script, SCRIPT_CASES)
            .await?;
        fuzz.finish("scripts").await
    })
}

#[test]
fn get_functions_answer_garbage_queries_without_5xx() -> TestResult {
    run(async {
        let mut fuzz = Fuzz::start().await?;
        for who in [Who::Officer, Who::Resident, Who::Visitor] {
            let caller = fuzz.agent(who).await?;
            for (path, names) in GETS {
                let fields: Vec<(&'static str, Kind)> =
                    names.iter().map(|name| (*name, Exact)).collect();
                let fields: Fields = Box::leak(fields.into_boxed_slice());
                let cases = draw(&case_strategy(fields), GET_CASES)?;
                // Longer than a URI may be (the `http` crate stops at 64 KiB, as servers do).
                for case in cases.into_iter().filter(|c| c.body().len() < 60_000) {
                    fuzz.requests += 1;
                    let request = get(&caller, path, &case.body())
                        .map_err(|e| format!("cannot build the request: {e}"));
                    let answer = match request {
                        Ok(request) => call(&caller.router, request).await,
                        Err(e) => Err(e),
                    };
                    *fuzz.outcomes.entry(outcome(&answer)).or_default() += 1;
                    if let Some(problem) = judge(answer) {
                        fuzz.findings.add(
                            format!("{who:?} GET /api/{path}: {problem}"),
                            case.describe(),
                        );
                    }
                }
            }
        }
        fuzz.finish("GET functions").await
    })
}

/// The lists above name every server function of the app, so that a new one is fuzzed too.
#[test]
fn every_server_function_is_fuzzed() -> TestResult {
    fn sources(dir: &std::path::Path, found: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                sources(&path, found)?;
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(std::fs::read_to_string(&path)?);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src"),
        &mut files,
    )?;
    let (mut posts, mut gets) = (BTreeSet::new(), BTreeSet::new());
    for line in files.iter().flat_map(|f| f.lines()) {
        let Some(rest) = line.trim().strip_prefix("#[server(") else {
            continue;
        };
        let endpoint = rest
            .split("endpoint = \"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .ok_or_else(|| format!("a server function without an endpoint: {line}"))?;
        if rest.contains("GetUrl") {
            gets.insert(endpoint.to_owned());
        } else {
            posts.insert(endpoint.to_owned());
        }
    }
    let fuzzed_posts: BTreeSet<String> = POSTS.iter().map(|(p, _)| (*p).to_owned()).collect();
    let fuzzed_gets: BTreeSet<String> = GETS.iter().map(|(p, _)| (*p).to_owned()).collect();
    assert_eq!(
        posts, fuzzed_posts,
        "POST server functions and POSTS differ"
    );
    assert_eq!(gets, fuzzed_gets, "GET server functions and GETS differ");
    Ok(())
}
