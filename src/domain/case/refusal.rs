//! Why the case engine refuses a step: [`RefusalCode`], every reason by its stable code (the
//! API's `error` of a 422), written once here so that no guard can misspell one and the list of
//! all of them can be published.

/// Declares [`RefusalCode`] from one table of variants and codes.
macro_rules! refusal_codes {
    ($($variant:ident = $code:literal,)*) => {
        /// A reason the engine refuses a step. [`super::Refusal`] carries its code with the
        /// article and the words.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RefusalCode {
            $($variant,)*
        }

        impl RefusalCode {
            /// Every reason, in the order of their codes.
            pub const ALL: &'static [RefusalCode] = &[$(RefusalCode::$variant,)*];

            /// The stable snake_case code.
            pub fn code(self) -> &'static str {
                match self {
                    $(RefusalCode::$variant => $code,)*
                }
            }
        }
    };
}

refusal_codes! {
    ActAfterDiscovery = "act_after_discovery",
    ActBeforeFiling = "act_before_filing",
    AlreadyExtended = "already_extended",
    AmountInvalid = "amount_invalid",
    AnnouncementRequired = "announcement_required",
    AppealWindowOpen = "appeal_window_open",
    AppliedOnInvalid = "applied_on_invalid",
    AttendeeNotLeader = "attendee_not_leader",
    AuthorityRequired = "authority_required",
    AuxiliaryNotEnforcer = "auxiliary_not_enforcer",
    BeforeDecision = "before_decision",
    BeforeOrder = "before_order",
    BeforePreservation = "before_preservation",
    BeforeReceipt = "before_receipt",
    BeforeSeizure = "before_seizure",
    BeforeStatedTime = "before_stated_time",
    BudgetRequired = "budget_required",
    CertificateNotValid = "certificate_not_valid",
    ChallengePending = "challenge_pending",
    ChecklistIncomplete = "checklist_incomplete",
    CollectiveDiscussionRequired = "collective_discussion_required",
    CompulsoryDiscussionRequired = "compulsory_discussion_required",
    CompulsoryReviewRequired = "compulsory_review_required",
    ConclusionRequired = "conclusion_required",
    CorrectionPeriodRunning = "correction_period_running",
    CostInvalid = "cost_invalid",
    CourtWindowLapsed = "court_window_lapsed",
    DateInFuture = "date_in_future",
    DateInvalid = "date_invalid",
    DeadlineInvalid = "deadline_invalid",
    DeadlineNotPassed = "deadline_not_passed",
    DecisionExtensionNotAllowed = "decision_extension_not_allowed",
    DeferralInPast = "deferral_in_past",
    Deferred = "deferred",
    DiscussionTooSmall = "discussion_too_small",
    DocumentIncomplete = "document_incomplete",
    DocumentNotAvailable = "document_not_available",
    EducationRequired = "education_required",
    ElectronicConsentRequired = "electronic_consent_required",
    EnforcementDecisionRequired = "enforcement_decision_required",
    EnforcementDecisionUnserved = "enforcement_decision_unserved",
    ExclusionNotInRules = "exclusion_not_in_rules",
    ExecuteOnInvalid = "execute_on_invalid",
    FineAmountMismatch = "fine_amount_mismatch",
    FineOutsideStatutoryRange = "fine_outside_statutory_range",
    FineUnpaid = "fine_unpaid",
    ForumRequired = "forum_required",
    HandlingRequired = "handling_required",
    HeadApprovalRequired = "head_approval_required",
    HearingBeforeDate = "hearing_before_date",
    HearingNotAvailable = "hearing_not_available",
    HearingNoticeTooShort = "hearing_notice_too_short",
    HearingPending = "hearing_pending",
    HearingRecordedByEngine = "hearing_recorded_by_engine",
    HearingRequestLate = "hearing_request_late",
    HeavierThanNotified = "heavier_than_notified",
    HolidayExecution = "holiday_execution",
    ImmediateNotForDemolition = "immediate_not_for_demolition",
    LateReasonRequired = "late_reason_required",
    LeadCheckAlreadyExtended = "lead_check_already_extended",
    LeaderRequired = "leader_required",
    LegalReviewFailed = "legal_review_failed",
    LegalReviewRequired = "legal_review_required",
    LegalReviewerRequired = "legal_reviewer_required",
    LimitationExpired = "limitation_expired",
    MannerRequired = "manner_required",
    NightExecution = "night_execution",
    NoInvestigation = "no_investigation",
    NoProposal = "no_proposal",
    NoUrgeNeeded = "no_urge_needed",
    NotCaseOfficer = "not_case_officer",
    NotNotified = "not_notified",
    NotOnCase = "not_on_case",
    NotRegistered = "not_registered",
    NotServed = "not_served",
    NoteRequired = "note_required",
    ObligationNotOverdue = "obligation_not_overdue",
    ObligationRequired = "obligation_required",
    OfficerRecused = "officer_recused",
    OfficerRequired = "officer_required",
    OnboardingIncomplete = "onboarding_incomplete",
    OpinionRequired = "opinion_required",
    Overpayment = "overpayment",
    PartyNotNotified = "party_not_notified",
    PenaltyKindRequired = "penalty_kind_required",
    PerformancePeriodRunning = "performance_period_running",
    PerformerRequired = "performer_required",
    PeriodInvalid = "period_invalid",
    PlaceRequired = "place_required",
    PlannedBeforeDecision = "planned_before_decision",
    PresiderAuxiliary = "presider_auxiliary",
    PresiderIsInvestigator = "presider_is_investigator",
    ReasonRequired = "reason_required",
    RequirementRequired = "requirement_required",
    ReviewAfterLimitation = "review_after_limitation",
    ReviewDateRequired = "review_date_required",
    ReviewerCannotHandle = "reviewer_cannot_handle",
    ReviewerHandledCase = "reviewer_handled_case",
    ReviewerUnqualified = "reviewer_unqualified",
    RightsPeriodRunning = "rights_period_running",
    SeizureActive = "seizure_active",
    SeizureExpired = "seizure_expired",
    SeizureListRequired = "seizure_list_required",
    ServiceBeforeDecision = "service_before_decision",
    SignatoryRequired = "signatory_required",
    SimpleProcedureLimit = "simple_procedure_limit",
    SquadLeaderRequired = "squad_leader_required",
    StartHourRequired = "start_hour_required",
    SubstituteCostOpen = "substitute_cost_open",
    SubstitutePending = "substitute_pending",
    SuitPeriodRunning = "suit_period_running",
    SummaryRequired = "summary_required",
    SupervisorRequired = "supervisor_required",
    TransferTargetRequired = "transfer_target_required",
    TwoOfficersRequired = "two_officers_required",
    UnknownOfficer = "unknown_officer",
    UrgeBeforeDecision = "urge_before_decision",
    UrgePeriodRunning = "urge_period_running",
    UrgeRequired = "urge_required",
    UrgeTooLate = "urge_too_late",
    WrongStage = "wrong_stage",
}

/// The API document lists every code, so a client can know them all before meeting one.
impl utoipa::PartialSchema for RefusalCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(RefusalCode::ALL.iter().map(|c| c.code())))
            .description(Some(
                "Why the case engine refused a step: the `error` of a 422 from opening a case or taking a step.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for RefusalCode {
    fn name() -> std::borrow::Cow<'static, str> {
        "RefusalCode".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_code_is_snake_case_and_named_once() {
        let mut codes: Vec<&str> = RefusalCode::ALL.iter().map(|c| c.code()).collect();
        assert!(
            codes.iter().all(|c| !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()))
        );
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "a code is written twice");
    }
}
