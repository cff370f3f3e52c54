//! The loop's indicators (GB/T 30428.4 in spirit; law-and-standards §3.1): counts of what
//! happened to matters in a month, per unit or class, and the rates made of them. Each count is
//! defined here in words and once in SQL (`store::intake`, the same condition for the count and
//! for the list of matters behind it), so a figure and its matters cannot disagree.
//!
//! A month's cohort for the quality rates is the matters *closed* in it (按期结案, 返工, 延期,
//! 满意); handling rates count the matters whose last handling fell in it. No indicator counts
//! penalties or fines (行政处罚法 Art. 74 ¶3 forbids tying assessment to them): the 721 share
//! of 执法 is how a matter was resolved, not an amount.

use crate::domain::intake::coded;

coded! {
    /// A count of the month.
    Indicator {
        /// 受理数: accepted in the month.
        Accepted = "accepted", "受理数",
        /// 派遣数: (last) dispatched in the month.
        Dispatched = "dispatched", "派遣数",
        /// 处置数: last handling reported in the month.
        Handled = "handled", "处置数",
        /// 按期处置数: of those, every round by its deadline.
        HandledOnTime = "handled_on_time", "按期处置数",
        /// 结案数: closed in the month.
        Closed = "closed", "结案数",
        /// 按期结案数: closed by the closing deadline (the first round's limit plus the centre's
        /// check and closing time, moved only by approved extensions).
        ClosedOnTime = "closed_on_time", "按期结案数",
        /// 返工结案数: closed in the month after at least one 返工.
        Reworked = "reworked", "返工数",
        /// 延期结案数: closed in the month after at least one approved 延期.
        Extended = "extended", "延期数",
        /// 回访数: closed in the month and called back (reached).
        Visited = "visited", "回访数",
        /// 满意数: of those, 满意 or 基本满意.
        Satisfied = "satisfied", "满意数",
        /// 转办答复数: referrals answered in the month.
        Referred = "referred", "转办答复数",
        /// 按期答复数: of those, answered by their due date.
        ReferralOnTime = "referral_on_time", "按期答复数",
        /// 721 服务: handled in the month by service.
        Service = "service", "服务",
        /// 721 管理.
        Management = "management", "管理",
        /// 721 执法.
        Enforcement = "enforcement", "执法",
    }
}

coded! {
    /// A rate: one count over another.
    Rate {
        OnTimeHandling = "on_time_handling", "按期处置率",
        OnTimeClosure = "on_time_closure", "按期结案率",
        Rework = "rework", "返工率",
        Extension = "extension", "延期率",
        Satisfaction = "satisfaction", "满意率",
        ReferralOnTime = "referral_on_time", "转办按期答复率",
    }
}

impl Rate {
    /// Numerator and denominator.
    pub fn parts(self) -> (Indicator, Indicator) {
        match self {
            Rate::OnTimeHandling => (Indicator::HandledOnTime, Indicator::Handled),
            Rate::OnTimeClosure => (Indicator::ClosedOnTime, Indicator::Closed),
            Rate::Rework => (Indicator::Reworked, Indicator::Closed),
            Rate::Extension => (Indicator::Extended, Indicator::Closed),
            Rate::Satisfaction => (Indicator::Satisfied, Indicator::Visited),
            Rate::ReferralOnTime => (Indicator::ReferralOnTime, Indicator::Referred),
        }
    }

    /// Whether a higher value is better (for colours).
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Rate::Rework | Rate::Extension)
    }
}

/// One row of counts (a unit's or a class's month), in the order of [`Indicator::ALL`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(pub Vec<i64>);

impl Counts {
    pub fn get(&self, indicator: Indicator) -> i64 {
        let index = Indicator::ALL.iter().position(|i| *i == indicator).expect("every indicator is listed");
        self.0.get(index).copied().unwrap_or(0)
    }

    /// A rate in per cent, `None` when its denominator is zero.
    pub fn rate(&self, rate: Rate) -> Option<f64> {
        let (top, bottom) = rate.parts();
        let bottom = self.get(bottom);
        (bottom > 0).then(|| 100.0 * self.get(top) as f64 / bottom as f64)
    }

    /// The 721 shares of the month's handled matters, in per cent (服务, 管理, 执法), `None`
    /// when none was classed.
    pub fn shares_721(&self) -> Option<[f64; 3]> {
        let parts = [Indicator::Service, Indicator::Management, Indicator::Enforcement].map(|i| self.get(i));
        let total: i64 = parts.iter().sum();
        (total > 0).then(|| parts.map(|p| 100.0 * p as f64 / total as f64))
    }

    /// The sum of several rows (the bureau's total).
    pub fn sum<'a>(rows: impl IntoIterator<Item = &'a Counts>) -> Counts {
        let mut total = vec![0; Indicator::ALL.len()];
        for row in rows {
            for (t, v) in total.iter_mut().zip(&row.0) {
                *t += v;
            }
        }
        Counts(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_divide_their_own_counts_and_say_nothing_without_a_denominator() {
        let mut values = vec![0; Indicator::ALL.len()];
        let mut set = |i: Indicator, v: i64| values[Indicator::ALL.iter().position(|x| *x == i).unwrap()] = v;
        set(Indicator::Closed, 8);
        set(Indicator::ClosedOnTime, 6);
        set(Indicator::Reworked, 2);
        set(Indicator::Service, 7);
        set(Indicator::Management, 2);
        set(Indicator::Enforcement, 1);
        let counts = Counts(values);
        assert_eq!(counts.rate(Rate::OnTimeClosure), Some(75.0));
        assert_eq!(counts.rate(Rate::Rework), Some(25.0));
        assert_eq!(counts.rate(Rate::Satisfaction), None);
        assert_eq!(counts.shares_721(), Some([70.0, 20.0, 10.0]));
        assert_eq!(Counts::sum([&counts, &counts]).get(Indicator::Closed), 16);
    }
}
