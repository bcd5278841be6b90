//! The station's own record: what its reported totals measure.

use crate::vocabulary;

vocabulary! {
    /// What a reported total measures (the columns of /stats).
    pub enum Measure {
        /// 调解纠纷, in cases.
        CasesMediated = "cases_mediated",
        /// 调解成功率, in per cent.
        SuccessRate = "success_rate",
        /// 涉案金额, in yuan.
        AmountYuan = "amount_yuan",
        /// 回访满意率, in per cent.
        SatisfactionRate = "satisfaction_rate",
    }
}

impl Measure {
    /// Kept in hundredths of a per cent rather than as a count.
    pub fn is_rate(self) -> bool {
        matches!(self, Measure::SuccessRate | Measure::SatisfactionRate)
    }
}
