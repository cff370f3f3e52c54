//! The 721 way of working (seed §三（三）; law-and-standards §1.6): 70% of problems solved by
//! service, 20% by management, 10% by enforcement. Every handled matter is classed by how it was
//! resolved; the class is proposed from the measures the squad took (the heaviest one decides)
//! and confirmed by the squad, which may choose another and is recorded doing so.

use crate::domain::intake::coded;

coded! {
    /// How a matter was resolved.
    Resolution {
        /// 服务: guidance, help, a convenience point, a reminder before shops open.
        Service = "service", "服务",
        /// 管理: persuasion, an order to correct, a talk (约谈).
        Management = "management", "管理",
        /// 执法: a penalty or a compulsory measure.
        Enforcement = "enforcement", "执法",
    }
}

coded! {
    /// What the squad did about a matter.
    Measure {
        /// 宣传引导: explained the rules, guided to the lawful way.
        Guidance = "guidance", "宣传引导",
        /// 便民帮扶: helped (moved a stall to a 便民点, found a permit route, lent a hand).
        Help = "help", "便民帮扶",
        /// 协调处置: arranged for the owner or a department to fix it (cleaning, repair).
        Coordination = "coordination", "协调处置",
        /// 劝导教育: persuaded to stop.
        Persuasion = "persuasion", "劝导教育",
        /// 责令改正: ordered to correct (a 责令改正通知书 or on the spot).
        Order = "order", "责令改正",
        /// 约谈: a talk with the party (三步走约谈).
        Talk = "talk", "约谈",
        /// 立案查处: a penalty case.
        Penalty = "penalty", "立案查处",
        /// 强制措施: seizure, removal, demolition.
        Compulsory = "compulsory", "强制措施",
    }
}

impl Measure {
    /// The 721 class a measure belongs to.
    pub fn resolution(self) -> Resolution {
        match self {
            Measure::Guidance | Measure::Help | Measure::Coordination => Resolution::Service,
            Measure::Persuasion | Measure::Order | Measure::Talk => Resolution::Management,
            Measure::Penalty | Measure::Compulsory => Resolution::Enforcement,
        }
    }
}

impl Resolution {
    /// The class proposed for what was done: the heaviest measure's (a matter that ended in a
    /// penalty was enforcement, whatever guidance came first); `None` when nothing was recorded.
    pub fn propose(measures: &[Measure]) -> Option<Resolution> {
        measures.iter().map(|m| m.resolution()).max_by_key(|r| r.weight())
    }

    fn weight(self) -> u8 {
        match self {
            Resolution::Service => 0,
            Resolution::Management => 1,
            Resolution::Enforcement => 2,
        }
    }

    /// The aim of the plan, in percent: 7:2:1.
    pub fn aim_percent(self) -> u32 {
        match self {
            Resolution::Service => 70,
            Resolution::Management => 20,
            Resolution::Enforcement => 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heaviest_measure_proposes_the_class() {
        assert_eq!(Resolution::propose(&[]), None);
        assert_eq!(Resolution::propose(&[Measure::Guidance, Measure::Help]), Some(Resolution::Service));
        assert_eq!(Resolution::propose(&[Measure::Guidance, Measure::Order]), Some(Resolution::Management));
        assert_eq!(
            Resolution::propose(&[Measure::Penalty, Measure::Persuasion, Measure::Guidance]),
            Some(Resolution::Enforcement)
        );
        assert_eq!(Resolution::ALL.iter().map(|r| r.aim_percent()).sum::<u32>(), 100);
        for measure in Measure::ALL {
            assert_eq!(Measure::parse(measure.code()), Some(*measure));
        }
    }
}
