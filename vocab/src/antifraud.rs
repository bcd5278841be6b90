//! 反诈 "三无一表一App": the words of the anti-fraud register.

use crate::vocabulary;

vocabulary! {
    /// The scams a team explains at a household visit, and a loss was lost to.
    pub enum Scam {
        /// 刷单返利
        OrderBrushing = "order_brushing",
        /// 虚假投资理财
        FakeInvestment = "fake_investment",
        /// 冒充公检法
        FakeAuthority = "fake_authority",
        /// 冒充电商物流客服
        FakeService = "fake_service",
        /// 虚假网络贷款
        FakeLoan = "fake_loan",
        /// 网络交友诱导投资 (杀猪盘)
        Romance = "romance",
        /// 其他
        Other = "other",
    }
}
