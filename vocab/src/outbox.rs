//! What leaves the portal: the channels a message goes out by, the kinds a person chooses
//! channels for, and where a message is on its way.

use crate::vocabulary;

vocabulary! {
    /// How a message reaches a person outside the portal.
    pub enum Channel {
        /// A text to the person's phone number.
        Sms = "sms",
        /// A template message from the station's WeChat Official Account (微信公众号), to a
        /// person who linked their WeChat.
        Wechat = "wechat",
        /// An e-mail, to an address the person proved with a code.
        Email = "email",
    }
}

vocabulary! {
    /// What a message is about; a person chooses channels per kind on 我的.
    pub enum Kind {
        /// 紧急提示: urgent notices. They alone go out in quiet hours and past the SMS budget.
        Urgent = "urgent",
        /// Changes to my mediation case (and, for staff, cases of their rooms).
        Case = "case",
        /// My session the evening before and two hours before; my shift a day before.
        Reminder = "reminder",
        /// 老王帮帮团: my applications, help requests in my dialect, and mine taken.
        Volunteer = "volunteer",
        /// 警事茶楼: replies to my threads.
        Teahouse = "teahouse",
        /// 短信验证码: asked for by the person there and then; not a choice.
        Code = "code",
    }
}

impl Kind {
    /// The kinds a person chooses channels for on 我的 (a code they asked for always comes).
    pub const CHOOSABLE: &'static [Kind] = &[
        Kind::Urgent,
        Kind::Case,
        Kind::Reminder,
        Kind::Volunteer,
        Kind::Teahouse,
    ];

    /// What a person gets until they choose: what they would be sorry to miss (a neighbour
    /// asking for a volunteer of their dialect among it), not every reply in the tea house.
    pub fn wanted_by_default(self) -> bool {
        self != Kind::Teahouse
    }
}

vocabulary! {
    pub enum Status {
        /// Waiting for its time (quiet hours, a retry's back-off) or for a worker.
        Queued = "queued",
        /// The provider took it.
        Sent = "sent",
        /// Every try failed; an officer may try again.
        Failed = "failed",
    }
}

vocabulary! {
    /// What the carrier reported of a text the provider took.
    pub enum Receipt {
        /// It reached the phone.
        Delivered = "delivered",
        /// The carrier gave up on it (number off, out of service, blocked).
        Undelivered = "undelivered",
    }
}
