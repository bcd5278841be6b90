//! 安全提示: categories, severities and the life of a notice.

use crate::vocabulary;

vocabulary! {
    pub enum Category {
        /// 反诈
        Fraud = "fraud",
        /// 防溺水
        Drowning = "drowning",
        Traffic = "traffic",
        Fire = "fire",
        Weather = "weather",
        /// 寻人
        Missing = "missing",
        /// 治安
        Order = "order",
        Other = "other",
    }
}

vocabulary! {
    /// 提示 / 注意 / 警告 / 紧急, in rising order.
    pub enum Severity {
        Info = "info",
        Caution = "caution",
        Warning = "warning",
        Urgent = "urgent",
    }
}

vocabulary! {
    pub enum Status {
        Draft = "draft",
        Published = "published",
        Cancelled = "cancelled",
    }
}

vocabulary! {
    pub enum VersionKind {
        Published = "published",
        Updated = "updated",
        Cancelled = "cancelled",
    }
}
