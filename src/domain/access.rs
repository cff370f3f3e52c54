//! Roles, actions and the one permission table (role × action → scope).
//!
//! Every route and every CLI command names the [`Action`] it performs; [`scope_of`] is the only
//! place that says who may perform it and over which objects. Anything not in the table is
//! denied. The three administrator roles of 等保 2.0 (三权分立) are mutually exclusive and none of
//! them holds a business permission, so no account holds every permission.

use std::fmt;
use std::str::FromStr;

/// A role an account holds. The codes are stable identifiers used in the database and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 局领导 / 领导小组: sees everything, signs major decisions.
    Leader,
    /// 领导小组办公室: the campaign office at the brigade; guides, assesses, reports.
    Office,
    /// 中队长: runs one dispatched squad.
    SquadLeader,
    /// 执法队员: holds an enforcement certificate.
    Officer,
    /// 协管员: patrols and assists; never a case handler.
    Auxiliary,
    /// 法制审核员: legal review.
    LegalReviewer,
    /// 受理中心: complaint intake and dispatch.
    Intake,
    /// 监督员: conduct and social supervisors; never sees personal data.
    Supervisor,
    /// 系统管理员: accounts and resources (等保 三权分立).
    SysAdmin,
    /// 安全管理员: security policy (等保 三权分立).
    SecAdmin,
    /// 审计管理员: reads the audit log (等保 三权分立).
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Leader,
        Role::Office,
        Role::SquadLeader,
        Role::Officer,
        Role::Auxiliary,
        Role::LegalReviewer,
        Role::Intake,
        Role::Supervisor,
        Role::SysAdmin,
        Role::SecAdmin,
        Role::AuditAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Office => "office",
            Role::SquadLeader => "squad_leader",
            Role::Officer => "officer",
            Role::Auxiliary => "auxiliary",
            Role::LegalReviewer => "legal_reviewer",
            Role::Intake => "intake",
            Role::Supervisor => "supervisor",
            Role::SysAdmin => "sysadmin",
            Role::SecAdmin => "secadmin",
            Role::AuditAdmin => "auditadmin",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Leader => "局领导",
            Role::Office => "领导小组办公室",
            Role::SquadLeader => "中队长",
            Role::Officer => "执法队员",
            Role::Auxiliary => "协管员",
            Role::LegalReviewer => "法制审核员",
            Role::Intake => "受理中心",
            Role::Supervisor => "监督员",
            Role::SysAdmin => "系统管理员",
            Role::SecAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Leader => "Leader",
            Role::Office => "Campaign office",
            Role::SquadLeader => "Squad leader",
            Role::Officer => "Officer",
            Role::Auxiliary => "Auxiliary",
            Role::LegalReviewer => "Legal reviewer",
            Role::Intake => "Acceptance center",
            Role::Supervisor => "Supervisor",
            Role::SysAdmin => "System administrator",
            Role::SecAdmin => "Security administrator",
            Role::AuditAdmin => "Audit administrator",
        }
    }

    /// The three separated administrator powers of 等保 2.0 §8.1.5 (三权分立).
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.code() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A set of roles that obeys the separation rules. The only way to build one is [`RoleSet::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSet(Vec<Role>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleSetError {
    #[error("an account needs at least one role")]
    Empty,
    /// 等保 2.0 §8.1.5.1–3: system, security and audit administration are held by different people,
    /// and none of them is a business user.
    #[error("an administrator role ({0}) cannot be combined with any other role")]
    AdminCombined(Role),
}

impl RoleSetError {
    pub fn code(&self) -> &'static str {
        match self {
            RoleSetError::Empty => "roles_empty",
            RoleSetError::AdminCombined(_) => "admin_roles_exclusive",
        }
    }
}

impl RoleSet {
    pub fn new(mut roles: Vec<Role>) -> Result<RoleSet, RoleSetError> {
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(RoleSetError::Empty);
        }
        if roles.len() > 1
            && let Some(admin) = roles.iter().copied().find(|r| r.is_admin())
        {
            return Err(RoleSetError::AdminCombined(admin));
        }
        Ok(RoleSet(roles))
    }

    pub fn roles(&self) -> &[Role] {
        &self.0
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.0.iter().any(|r| r.is_admin())
    }

    /// The widest scope any of the roles grants for `action`.
    pub fn scope(&self, action: Action) -> Option<Scope> {
        self.0.iter().filter_map(|r| scope_of(*r, action)).max()
    }

    pub fn codes(&self) -> String {
        self.0.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }
}

/// Who grants an account's roles (等保 2.0 L3-CES1-08: 授予管理用户所需的最小权限，实现管理用户的
/// 权限分离). The 系统管理员 creates accounts and resets passwords but never grants a role
/// itself, so it can neither make itself another administrator nor log in as anyone: an
/// administrator account is granted by the 安全管理员 — a security administrator's by the
/// 审计管理员, so that no administrator grants its own power — and business roles by the
/// 领导小组办公室, which answers for who does what in the bureau.
pub fn grantor_of(roles: &RoleSet) -> Role {
    if roles.contains(Role::SecAdmin) {
        Role::AuditAdmin
    } else if roles.is_admin() {
        Role::SecAdmin
    } else {
        Role::Office
    }
}

/// How far a permission reaches, from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Only the actor's own records.
    Own,
    /// The actor's own unit.
    Unit,
    /// The actor's unit and every unit below it.
    Subtree,
    /// The whole bureau.
    All,
}

/// Everything a signed-in user can ask the system to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The home page, one's own profile, logout, changing one's own password.
    SelfService,
    /// The unit tree and the leadership group.
    OrgView,
    /// Change the unit tree or the leadership group.
    OrgEdit,
    /// List and read people and their certificates (phones masked).
    PersonView,
    /// Create or edit people and their certificates.
    PersonEdit,
    /// Export the people list as a spreadsheet.
    PersonExport,
    /// See a person's full phone number (audited).
    PersonReveal,
    /// Create, disable, enable accounts and reset passwords. A new account and a reset wait
    /// for their grantor ([`grantor_of`]) before anyone can log in with them.
    AccountAdmin,
    /// Grant the roles of an account the 系统管理员 created or reset, and receive its one-time
    /// password to hand over: the 安全管理员 and 审计管理员 for administrator accounts, the
    /// 领导小组办公室 for business roles.
    AccountGrant,
    /// Read and change the security policy.
    SecurityPolicy,
    /// Read and verify the audit log.
    AuditRead,
    /// Enter or correct a year's holiday arrangement (system parameters, 系统管理 › 节假日).
    CalendarEdit,
    /// Search and read the party registry (document numbers and phones masked).
    PartyView,
    /// Register a party.
    PartyEdit,
    /// See a party's full document number and phone (audited).
    PartyReveal,
    /// List and read cases, their clocks and timelines, and the responsibility list.
    CaseView,
    /// Register a lead or make an on-the-spot (简易程序) decision.
    CaseOpen,
    /// Take a step on a case; the case engine decides which steps the caller's roles allow.
    CaseAct,
    /// List, read, view and play evidence (each view and play is a custody record).
    EvidenceView,
    /// Upload evidence.
    EvidenceUpload,
    /// Download originals and export packages for a court or a review.
    EvidenceExport,
    /// Change an item's kind, put it under legal hold, ask for its deletion.
    EvidenceManage,
    /// Approve the deletion of evidence whose retention has ended (安全管理员).
    EvidenceDeleteApprove,
    /// Record a patrol, special operation or joint operation.
    FieldWork,
    /// Register recording devices (执法记录仪) and assign them.
    DeviceAdmin,
    /// Switch acts on or off the list of acts that must be filmed (音像记录事项清单).
    RecordingRulesEdit,
    /// Set the province's case rules ([M] values: hearing and major-case thresholds, the
    /// statement period), with their sources.
    CaseRulesEdit,
    /// Run the scenario simulator: try steps on dates against the engine, writing nothing.
    CaseSimulate,
    /// See training sessions and compliance (one's own unit; leaders and the office all).
    TrainingView,
    /// Record sessions, attendance and leave, and close months (the office, leaders; a squad
    /// leader the own squad).
    TrainingManage,
    /// List and read matters (事项) and their timelines; reporters' numbers masked.
    MatterView,
    /// File a matter: a call on the hotline, a patrol's find, a supervisor's or the media's.
    MatterFile,
    /// Take a step of the loop; the loop decides which steps the caller's roles allow (the
    /// centre accepts, dispatches, checks and closes; the squad handles).
    MatterAct,
    /// See a reporter's full phone to call back (回访; audited).
    MatterReporterReveal,
    /// Edit the catalogue of matter classes and their time limits, and the partner departments.
    MatterCatalogueEdit,
    /// Record the 联席会议 with partner departments, the tasks agreed, and their completion.
    JointWork,
    /// Read the publication register of penalty decisions and its clocks.
    DisclosureView,
    /// Publish a decision (the redacted text), withhold one with its basis, record the ruling
    /// that changed or revoked one, and withdraw it (政务公开: the office and the leaders).
    DisclosurePublish,
    /// Read the circuit court sittings and legal consultations and their monthly counts.
    LegalHelpView,
    /// Record a sitting or a consultation (the legal office, the office, the leaders).
    LegalHelpRecord,
    /// Read and keep the special-care archive (少数民族和困难当事人档案). The role alone is not
    /// enough: the account also needs a current grant, and every reading states its purpose
    /// (个人信息保护法 Arts. 28–29; `ops::special_care`).
    SpecialCare,
    /// The archive's counts by category and month, which carry no personal data.
    SpecialCareCounts,
    /// Grant or revoke another account's access to the archive.
    SpecialCareGrant,
    /// Read the 三步走约谈 (talks before punishing) and their re-inspections.
    TalkView,
    /// Hold a talk step, record a re-inspection, link the case of step three.
    TalkRecord,
    /// Read the register of 便民服务点 and 疏导点 with the vendors admitted and the inspections.
    VendingView,
    /// Set up and correct a point, admit vendors to its stalls and end an admission.
    VendingManage,
    /// Record an inspection of a point.
    VendingInspect,
    /// Read the register of new roads and estates, their shops and the 提前告知 served.
    NewSiteView,
    /// Register a new road or estate and its shops, serve the 提前告知, record follow-up visits
    /// and what became of each shop (管理重心前移).
    NewSiteRecord,
    /// Read the squads' target assessment: the year's scheme, the results with their breakdown
    /// and the assessors' entries (published results: every squad; live ones: the reader's scope).
    AssessmentView,
    /// Define a year's scheme, record deductions and awards, publish a period's results and
    /// correct them with a reason (the campaign office).
    AssessmentManage,
    /// Record counselling sessions (the counsellor, who alone with the people of a session
    /// reads its notes), register a squad's 心灵驿站 and, bureau-wide, the yearly plan.
    CounsellingRecord,
    /// The counselling counts per squad and month, the stations and the plan: never a name,
    /// never a note.
    CounsellingCounts,
    /// 督察: the supervisors' register (phones masked), the meetings and the year's progress,
    /// and the opinions (a squad leader: those assigned to the squad).
    SupervisionView,
    /// Keep the register and the targets, record meetings and opinions, assign opinions and
    /// accept or return the answers, reveal a supervisor's phone (audited): the office.
    SupervisionManage,
    /// Answer an opinion assigned to the unit.
    SupervisionAnswer,
    /// A supervisor's own page: their opinions and the accepted answers, and raising a new one.
    SupervisionOwn,
    /// The publicity ledger and its counts per channel, unit and month.
    PublicityView,
    /// Record publicity (an entry, a briefing's pick-up points, a copy of a report).
    PublicityRecord,
    /// The 星级队员 ratings and their breakdowns (one's own is `SelfService`).
    StarView,
    /// Set the year's rating rules, record entries (absences, upheld complaints, commendations,
    /// discipline), publish a month and answer appeals: the office.
    StarManage,
    /// The squad leader's monthly score of the squad's people.
    StarLeaderScore,
    /// The 十佳 rounds: the nominations of one's scope, the result list once published.
    TopTenView,
    /// Open a 十佳 round and set it (places, rules, panel), move it on, publish the notice: the
    /// office.
    TopTenManage,
    /// Nominate a squad or a person of one's scope for a 十佳 title.
    TopTenNominate,
    /// Score 十佳 nominations, for the members of the year's panel.
    TopTenScore,
}

impl Action {
    pub const ALL: [Action; 67] = [
        Action::SelfService,
        Action::OrgView,
        Action::OrgEdit,
        Action::PersonView,
        Action::PersonEdit,
        Action::PersonExport,
        Action::PersonReveal,
        Action::AccountAdmin,
        Action::AccountGrant,
        Action::SecurityPolicy,
        Action::AuditRead,
        Action::CalendarEdit,
        Action::PartyView,
        Action::PartyEdit,
        Action::PartyReveal,
        Action::CaseView,
        Action::CaseOpen,
        Action::CaseAct,
        Action::EvidenceView,
        Action::EvidenceUpload,
        Action::EvidenceExport,
        Action::EvidenceManage,
        Action::EvidenceDeleteApprove,
        Action::FieldWork,
        Action::DeviceAdmin,
        Action::RecordingRulesEdit,
        Action::CaseRulesEdit,
        Action::CaseSimulate,
        Action::TrainingView,
        Action::TrainingManage,
        Action::MatterView,
        Action::MatterFile,
        Action::MatterAct,
        Action::MatterReporterReveal,
        Action::MatterCatalogueEdit,
        Action::JointWork,
        Action::DisclosureView,
        Action::DisclosurePublish,
        Action::LegalHelpView,
        Action::LegalHelpRecord,
        Action::SpecialCare,
        Action::SpecialCareCounts,
        Action::SpecialCareGrant,
        Action::TalkView,
        Action::TalkRecord,
        Action::VendingView,
        Action::VendingManage,
        Action::VendingInspect,
        Action::NewSiteView,
        Action::NewSiteRecord,
        Action::AssessmentView,
        Action::AssessmentManage,
        Action::CounsellingRecord,
        Action::CounsellingCounts,
        Action::SupervisionView,
        Action::SupervisionManage,
        Action::SupervisionAnswer,
        Action::SupervisionOwn,
        Action::PublicityView,
        Action::PublicityRecord,
        Action::StarView,
        Action::StarManage,
        Action::StarLeaderScore,
        Action::TopTenView,
        Action::TopTenManage,
        Action::TopTenNominate,
        Action::TopTenScore,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::SelfService => "self_service",
            Action::OrgView => "org_view",
            Action::OrgEdit => "org_edit",
            Action::PersonView => "person_view",
            Action::PersonEdit => "person_edit",
            Action::PersonExport => "person_export",
            Action::PersonReveal => "person_reveal",
            Action::AccountAdmin => "account_admin",
            Action::AccountGrant => "account_grant",
            Action::SecurityPolicy => "security_policy",
            Action::AuditRead => "audit_read",
            Action::CalendarEdit => "calendar_edit",
            Action::PartyView => "party_view",
            Action::PartyEdit => "party_edit",
            Action::PartyReveal => "party_reveal",
            Action::CaseView => "case_view",
            Action::CaseOpen => "case_open",
            Action::CaseAct => "case_act",
            Action::EvidenceView => "evidence_view",
            Action::EvidenceUpload => "evidence_upload",
            Action::EvidenceExport => "evidence_export",
            Action::EvidenceManage => "evidence_manage",
            Action::EvidenceDeleteApprove => "evidence_delete_approve",
            Action::FieldWork => "field_work",
            Action::DeviceAdmin => "device_admin",
            Action::RecordingRulesEdit => "recording_rules_edit",
            Action::CaseRulesEdit => "case_rules_edit",
            Action::CaseSimulate => "case_simulate",
            Action::TrainingView => "training_view",
            Action::TrainingManage => "training_manage",
            Action::MatterView => "matter_view",
            Action::MatterFile => "matter_file",
            Action::MatterAct => "matter_act",
            Action::MatterReporterReveal => "matter_reporter_reveal",
            Action::MatterCatalogueEdit => "matter_catalogue_edit",
            Action::JointWork => "joint_work",
            Action::DisclosureView => "disclosure_view",
            Action::DisclosurePublish => "disclosure_publish",
            Action::LegalHelpView => "legal_help_view",
            Action::LegalHelpRecord => "legal_help_record",
            Action::SpecialCare => "special_care",
            Action::SpecialCareCounts => "special_care_counts",
            Action::SpecialCareGrant => "special_care_grant",
            Action::TalkView => "talk_view",
            Action::TalkRecord => "talk_record",
            Action::VendingView => "vending_view",
            Action::VendingManage => "vending_manage",
            Action::VendingInspect => "vending_inspect",
            Action::NewSiteView => "new_site_view",
            Action::NewSiteRecord => "new_site_record",
            Action::AssessmentView => "assessment_view",
            Action::AssessmentManage => "assessment_manage",
            Action::CounsellingRecord => "counselling_record",
            Action::CounsellingCounts => "counselling_counts",
            Action::SupervisionView => "supervision_view",
            Action::SupervisionManage => "supervision_manage",
            Action::SupervisionAnswer => "supervision_answer",
            Action::SupervisionOwn => "supervision_own",
            Action::PublicityView => "publicity_view",
            Action::PublicityRecord => "publicity_record",
            Action::StarView => "star_view",
            Action::StarManage => "star_manage",
            Action::StarLeaderScore => "star_leader_score",
            Action::TopTenView => "top_ten_view",
            Action::TopTenManage => "top_ten_manage",
            Action::TopTenNominate => "top_ten_nominate",
            Action::TopTenScore => "top_ten_score",
        }
    }
}

/// The permission table. `None` means denied.
///
/// Reading it row by row: leaders and the campaign office see the whole bureau; a squad leader
/// sees and manages the own squad (and units below it); officers and auxiliaries see their own
/// unit; supervisors see the organisation but never personal data; the three administrators
/// each hold only their own power.
pub fn scope_of(role: Role, action: Action) -> Option<Scope> {
    use Action as A;
    use Role as R;
    use Scope as S;
    match (role, action) {
        (_, A::SelfService) => Some(S::Own),

        (R::SecAdmin | R::AuditAdmin, A::OrgView) => None,
        (_, A::OrgView) => Some(S::All),

        (R::Office, A::OrgEdit) => Some(S::All),
        (_, A::OrgEdit) => None,

        (R::Leader | R::Office | R::LegalReviewer | R::Intake | R::SysAdmin, A::PersonView) => Some(S::All),
        (R::SquadLeader, A::PersonView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::PersonView) => Some(S::Unit),
        (R::Supervisor | R::SecAdmin | R::AuditAdmin, A::PersonView) => None,

        (R::Office, A::PersonEdit) => Some(S::All),
        (R::SquadLeader, A::PersonEdit) => Some(S::Subtree),
        (_, A::PersonEdit) => None,

        (R::Leader | R::Office, A::PersonExport) => Some(S::All),
        (R::SquadLeader, A::PersonExport) => Some(S::Subtree),
        (_, A::PersonExport) => None,

        (R::Leader | R::Office, A::PersonReveal) => Some(S::All),
        (R::SquadLeader, A::PersonReveal) => Some(S::Subtree),
        (_, A::PersonReveal) => None,

        (R::SysAdmin, A::AccountAdmin) => Some(S::All),
        (_, A::AccountAdmin) => None,
        // Which accounts each grantor may grant is `grantor_of`; the route admits all three.
        (R::Office | R::SecAdmin | R::AuditAdmin, A::AccountGrant) => Some(S::All),
        (_, A::AccountGrant) => None,

        (R::SecAdmin, A::SecurityPolicy) => Some(S::All),
        (_, A::SecurityPolicy) => None,

        (R::AuditAdmin, A::AuditRead) => Some(S::All),
        (_, A::AuditRead) => None,

        (R::SysAdmin, A::CalendarEdit) => Some(S::All),
        (_, A::CalendarEdit) => None,

        // The registry is the bureau's one file per party, shared by every squad; personal data
        // in it stays masked unless revealed. Auxiliaries record findings but handle no case,
        // supervisors never see personal data, administrators hold no business power.
        (
            R::Leader | R::Office | R::SquadLeader | R::Officer | R::LegalReviewer | R::Intake,
            A::PartyView | A::PartyEdit,
        ) => Some(S::All),
        (_, A::PartyView | A::PartyEdit) => None,
        (R::Leader | R::SquadLeader | R::Officer | R::LegalReviewer, A::PartyReveal) => Some(S::All),
        (_, A::PartyReveal) => None,

        // Cases belong to the squad that handles them. Leaders, the office, legal reviewers and
        // the acceptance center see every case; a squad leader the own squad; an officer the
        // own unit. Auxiliaries take no part in case handling (行政处罚法 Art. 42), supervisors
        // see no personal data, administrators hold no business power.
        (R::Leader | R::Office | R::LegalReviewer | R::Intake, A::CaseView) => Some(S::All),
        (R::SquadLeader, A::CaseView) => Some(S::Subtree),
        (R::Officer, A::CaseView) => Some(S::Unit),
        (_, A::CaseView) => None,
        (R::Leader | R::Intake, A::CaseOpen) => Some(S::All),
        (R::SquadLeader, A::CaseOpen) => Some(S::Subtree),
        (R::Officer, A::CaseOpen) => Some(S::Unit),
        (_, A::CaseOpen) => None,
        (R::Leader | R::LegalReviewer, A::CaseAct) => Some(S::All),
        (R::SquadLeader, A::CaseAct) => Some(S::Subtree),
        (R::Officer, A::CaseAct) => Some(S::Unit),
        (_, A::CaseAct) => None,

        // Evidence belongs to the unit that collected it (or the squad handling its case).
        // Auxiliaries film and photograph on patrol, so they upload and see their unit's items,
        // but export nothing. Deleting evidence whose retention has ended is approved by the
        // security administrator, who sees only the deletion requests, never the bytes.
        (R::Leader | R::Office | R::LegalReviewer, A::EvidenceView) => Some(S::All),
        (R::SquadLeader, A::EvidenceView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::EvidenceView) => Some(S::Unit),
        (_, A::EvidenceView) => None,
        (R::Leader, A::EvidenceUpload) => Some(S::All),
        (R::SquadLeader, A::EvidenceUpload) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::EvidenceUpload) => Some(S::Unit),
        // The centre keeps what a caller or the media sent with a matter, before dispatch.
        (R::Intake, A::EvidenceUpload) => Some(S::Unit),
        (_, A::EvidenceUpload) => None,
        (R::Leader | R::LegalReviewer, A::EvidenceExport) => Some(S::All),
        (R::SquadLeader, A::EvidenceExport) => Some(S::Subtree),
        (R::Officer, A::EvidenceExport) => Some(S::Unit),
        (_, A::EvidenceExport) => None,
        (R::Leader, A::EvidenceManage) => Some(S::All),
        (R::SquadLeader, A::EvidenceManage) => Some(S::Subtree),
        (_, A::EvidenceManage) => None,
        (R::SecAdmin, A::EvidenceDeleteApprove) => Some(S::All),
        (_, A::EvidenceDeleteApprove) => None,

        // Patrols and operations are recorded by those who lead or take part in them; the
        // office keeps the device register with the squad leaders.
        (R::Leader, A::FieldWork) => Some(S::All),
        (R::SquadLeader, A::FieldWork) => Some(S::Subtree),
        (R::Officer, A::FieldWork) => Some(S::Unit),
        (_, A::FieldWork) => None,
        (R::Office, A::DeviceAdmin) => Some(S::All),
        (R::SquadLeader, A::DeviceAdmin) => Some(S::Subtree),
        (_, A::DeviceAdmin) => None,
        (R::Leader | R::Office, A::RecordingRulesEdit) => Some(S::All),
        (_, A::RecordingRulesEdit) => None,
        // The legal office keeps the thresholds, the leadership answers for them.
        (R::Leader | R::LegalReviewer, A::CaseRulesEdit) => Some(S::All),
        (_, A::CaseRulesEdit) => None,
        // The legal office tries scenarios before it advises; the leadership and the office
        // (which runs the monthly training) use the same tool to teach.
        (R::Leader | R::LegalReviewer | R::Office, A::CaseSimulate) => Some(S::All),
        (_, A::CaseSimulate) => None,
        // Training (plan §三（一）): the office plans and records for the bureau, a squad leader
        // for the own squad; everyone in a unit sees its sessions and standing.
        (R::Leader | R::Office, A::TrainingView | A::TrainingManage) => Some(S::All),
        (R::SquadLeader, A::TrainingView | A::TrainingManage) => Some(S::Subtree),
        (R::Officer | R::Auxiliary | R::LegalReviewer | R::Intake, A::TrainingView) => Some(S::Unit),
        (_, A::TrainingView | A::TrainingManage) => None,
        // Intake (plan §三（三）, the 受理中心's loop): the centre and the leaders see every
        // matter and run the loop; a squad sees and handles what is dispatched to it, and its
        // people file what they find on patrol. Supervisors' tips are filed by the centre (a
        // supervisor never sees a reporter). Only the centre and the leaders call reporters back.
        (R::Leader | R::Office | R::Intake, A::MatterView) => Some(S::All),
        (R::SquadLeader, A::MatterView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::MatterView) => Some(S::Unit),
        (_, A::MatterView) => None,
        (R::Leader | R::Intake, A::MatterFile | A::MatterAct) => Some(S::All),
        (R::SquadLeader, A::MatterFile | A::MatterAct) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::MatterFile | A::MatterAct) => Some(S::Unit),
        (_, A::MatterFile | A::MatterAct) => None,
        (R::Leader | R::Intake, A::MatterReporterReveal) => Some(S::All),
        (_, A::MatterReporterReveal) => None,
        (R::Office | R::Intake, A::MatterCatalogueEdit) => Some(S::All),
        (_, A::MatterCatalogueEdit) => None,
        // The 联席会议 are the centre's and the leaders' (the office keeps their records); every
        // reader of matters may read them.
        (R::Leader | R::Office | R::Intake, A::JointWork) => Some(S::All),
        (_, A::JointWork) => None,
        // Disclosure (行政处罚法 Art. 48): the office publishes and withdraws, as the bureau's
        // 政务公开 desk, and the leaders with it; the legal office reads the register (it answers
        // the 复议 and 诉讼 that lead to withdrawals) and a squad leader sees the squad's.
        (R::Leader | R::Office | R::LegalReviewer, A::DisclosureView) => Some(S::All),
        (R::SquadLeader, A::DisclosureView) => Some(S::Subtree),
        (_, A::DisclosureView) => None,
        (R::Leader | R::Office, A::DisclosurePublish) => Some(S::All),
        (_, A::DisclosurePublish) => None,
        // Circuit court and legal help (plan §三（三）): the legal office keeps the records with
        // the office; the leaders and squad leaders read them (a squad hosts the sittings).
        (R::Leader | R::Office | R::LegalReviewer | R::SquadLeader, A::LegalHelpView) => Some(S::All),
        (_, A::LegalHelpView) => None,
        (R::Leader | R::Office | R::LegalReviewer, A::LegalHelpRecord) => Some(S::All),
        (_, A::LegalHelpRecord) => None,
        // The special-care archive (plan §三（三）2) is kept by those who meet the parties: the
        // squads, with the office and the leaders who answer for the help. Each of them needs a
        // grant besides (`ops::special_care`); the legal office, the centre, auxiliaries,
        // supervisors and administrators never hold it. The leaders and the office grant it
        // (never to themselves) and read the counts, as does a squad leader.
        (R::Leader | R::Office, A::SpecialCare) => Some(S::All),
        (R::SquadLeader, A::SpecialCare) => Some(S::Subtree),
        (R::Officer, A::SpecialCare) => Some(S::Unit),
        (_, A::SpecialCare) => None,
        (R::Leader | R::Office | R::SquadLeader, A::SpecialCareCounts) => Some(S::All),
        (_, A::SpecialCareCounts) => None,
        (R::Leader | R::Office, A::SpecialCareGrant) => Some(S::All),
        (_, A::SpecialCareGrant) => None,
        // 三步走约谈 (plan §三（三）3) are held by the officers who would otherwise open the case,
        // in the squad's area; the leaders, the office and the legal office read them (the
        // talk is the file behind a later case's 责令改正 and its first-offence question).
        (R::Leader | R::Office | R::LegalReviewer, A::TalkView) => Some(S::All),
        (R::SquadLeader, A::TalkView) => Some(S::Subtree),
        (R::Officer, A::TalkView) => Some(S::Unit),
        (_, A::TalkView) => None,
        (R::Leader, A::TalkRecord) => Some(S::All),
        (R::SquadLeader, A::TalkRecord) => Some(S::Subtree),
        (R::Officer, A::TalkRecord) => Some(S::Unit),
        (_, A::TalkRecord) => None,
        // 便民服务点 and 疏导点 (plan §三（三）2) are set up by the office with the squads that keep
        // them; officers and auxiliaries patrol and inspect them in their squad's area (an
        // inspection is the 巡查 auxiliaries may do alone). Vendors' names are personal data, so
        // the register stays with those who work it; the public sees the portal's points.
        (R::Leader | R::Office, A::VendingView | A::VendingManage | A::VendingInspect) => Some(S::All),
        (R::SquadLeader, A::VendingView | A::VendingManage | A::VendingInspect) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::VendingView | A::VendingInspect) => Some(S::Unit),
        (_, A::VendingView | A::VendingManage | A::VendingInspect) => None,
        // 管理重心前移 (plan §三（三）1): the squads step in at new roads and estates before the
        // shops open; the office and the leaders read it (it is the 721's 服务 share), and so does
        // the centre, which meets these shops again as matters.
        (R::Leader | R::Office | R::Intake, A::NewSiteView) => Some(S::All),
        (R::SquadLeader, A::NewSiteView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::NewSiteView) => Some(S::Unit),
        (_, A::NewSiteView) => None,
        (R::Leader | R::Office, A::NewSiteRecord) => Some(S::All),
        (R::SquadLeader, A::NewSiteRecord) => Some(S::Subtree),
        (R::Officer, A::NewSiteRecord) => Some(S::Unit),
        (_, A::NewSiteRecord) => None,
        // 派驻中队目标考核 (plan §三（四）): the office assesses the squads and the leaders read
        // it; a squad reads its own results and entries (its leader the squad, its members
        // their unit). The assessed do not assess themselves.
        (R::Leader | R::Office, A::AssessmentView) => Some(S::All),
        (R::SquadLeader, A::AssessmentView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::AssessmentView) => Some(S::Unit),
        (_, A::AssessmentView) => None,
        (R::Office, A::AssessmentManage) => Some(S::All),
        (_, A::AssessmentManage) => None,
        // 心灵管理辅导 (plan §三（三）5): the office runs the counselling centre and a squad leader
        // the squad's 心灵驿站; the leaders see the counts. No role reads a session's notes:
        // only its counsellor and its people do (`domain::counselling::may_read_notes`).
        (R::Office, A::CounsellingRecord) => Some(S::All),
        (R::SquadLeader, A::CounsellingRecord) => Some(S::Subtree),
        (_, A::CounsellingRecord) => None,
        (R::Leader | R::Office, A::CounsellingCounts) => Some(S::All),
        (R::SquadLeader, A::CounsellingCounts) => Some(S::Subtree),
        (_, A::CounsellingCounts) => None,
        // 督察 (plan §三（四）2): the office keeps the register and runs the opinions; the leaders
        // read everything; a squad leader reads and answers what is assigned to the squad. A
        // supervisor reaches only their own opinions (`SupervisionOwn`), never the register.
        (R::Leader | R::Office, A::SupervisionView) => Some(S::All),
        (R::SquadLeader, A::SupervisionView) => Some(S::Subtree),
        (_, A::SupervisionView) => None,
        (R::Office, A::SupervisionManage) => Some(S::All),
        (_, A::SupervisionManage) => None,
        (R::Office, A::SupervisionAnswer) => Some(S::All),
        (R::SquadLeader, A::SupervisionAnswer) => Some(S::Subtree),
        (_, A::SupervisionAnswer) => None,
        (R::Supervisor, A::SupervisionOwn) => Some(S::Own),
        (_, A::SupervisionOwn) => None,
        // 宣传 (plan §三（五）): the office runs the bureau's channels; a squad records what it did
        // and everyone sees their unit's ledger.
        (R::Leader | R::Office, A::PublicityView) => Some(S::All),
        (R::SquadLeader, A::PublicityView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary, A::PublicityView) => Some(S::Unit),
        (_, A::PublicityView) => None,
        (R::Office, A::PublicityRecord) => Some(S::All),
        (R::SquadLeader, A::PublicityRecord) => Some(S::Subtree),
        (_, A::PublicityRecord) => None,
        // 星级队员 (plan §三（四）3): the office rates, the leaders read, a squad leader reads and
        // scores the squad's people; everyone reads their own through `SelfService`.
        (R::Leader | R::Office, A::StarView) => Some(S::All),
        (R::SquadLeader, A::StarView) => Some(S::Subtree),
        (_, A::StarView) => None,
        (R::Office, A::StarManage) => Some(S::All),
        (_, A::StarManage) => None,
        (R::SquadLeader, A::StarLeaderScore) => Some(S::Subtree),
        (_, A::StarLeaderScore) => None,
        // 十佳 (plan §三（四）3): the office runs the round; squad leaders nominate from their
        // squad; the panel is drawn from leaders, the office and squad leaders (and scores only
        // when named on the year's panel, never for its own squad); the team sees its own
        // scope's nominations and everyone the published result list.
        (R::Leader | R::Office, A::TopTenView) => Some(S::All),
        (R::SquadLeader, A::TopTenView) => Some(S::Subtree),
        (R::Officer | R::Auxiliary | R::LegalReviewer | R::Intake, A::TopTenView) => Some(S::Unit),
        (_, A::TopTenView) => None,
        (R::Office, A::TopTenManage) => Some(S::All),
        (_, A::TopTenManage) => None,
        (R::Office, A::TopTenNominate) => Some(S::All),
        (R::SquadLeader, A::TopTenNominate) => Some(S::Subtree),
        (_, A::TopTenNominate) => None,
        (R::Leader | R::Office | R::SquadLeader, A::TopTenScore) => Some(S::All),
        (_, A::TopTenScore) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_admin_roles_cannot_share_an_account() {
        let err = RoleSet::new(vec![Role::SysAdmin, Role::AuditAdmin]).unwrap_err();
        assert_eq!(err.code(), "admin_roles_exclusive");
        assert!(RoleSet::new(vec![Role::SecAdmin, Role::Officer]).is_err());
        assert!(RoleSet::new(vec![Role::SquadLeader, Role::Officer]).is_ok());
        assert_eq!(RoleSet::new(vec![]).unwrap_err(), RoleSetError::Empty);
    }

    #[test]
    fn no_valid_role_set_holds_every_permission() {
        // Any valid set either holds one admin role (and lacks business actions) or only
        // business roles (and lacks every admin power).
        for role in Role::ALL {
            let granted = Action::ALL.iter().filter(|a| scope_of(role, **a).is_some()).count();
            assert!(granted < Action::ALL.len(), "{role} holds every permission");
        }
        let business: Vec<Role> = Role::ALL.into_iter().filter(|r| !r.is_admin()).collect();
        let set = RoleSet::new(business).unwrap();
        assert!(set.scope(Action::AccountAdmin).is_none());
        assert!(set.scope(Action::AuditRead).is_none());
        assert!(set.scope(Action::SecurityPolicy).is_none());
    }

    #[test]
    fn each_admin_holds_only_its_own_power() {
        assert!(scope_of(Role::SysAdmin, Action::AuditRead).is_none());
        assert!(scope_of(Role::AuditAdmin, Action::AccountAdmin).is_none());
        assert!(scope_of(Role::SecAdmin, Action::PersonEdit).is_none());
        assert!(scope_of(Role::SecAdmin, Action::AuditRead).is_none());
    }

    #[test]
    fn the_system_administrator_grants_no_role_and_no_administrator_grants_its_own_power() {
        for role in Role::ALL {
            let set = RoleSet::new(vec![role]).unwrap();
            let grantor = grantor_of(&set);
            assert_ne!(grantor, Role::SysAdmin, "{role}");
            if role.is_admin() {
                assert_ne!(grantor, role, "{role} would grant its own power");
            }
            assert!(scope_of(grantor, Action::AccountGrant).is_some());
        }
        assert!(scope_of(Role::SysAdmin, Action::AccountGrant).is_none());
        assert_eq!(grantor_of(&RoleSet::new(vec![Role::Leader, Role::Office]).unwrap()), Role::Office);
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), role);
        }
    }
}
