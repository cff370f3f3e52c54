//! What every page shares: the language, the frame (menu, top bar), and the error page.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::time::{civil_date, display_date_long};
use crate::web::error::{AppError, PageError};
use crate::web::guard::{LANG_COOKIE, Principal, cookie};

/// The interface language: Simplified Chinese first, English on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        match cookie(headers, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
    /// Picks the text for this language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

pub struct MenuItem {
    pub key: &'static str,
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub icon: &'static str,
}

/// The menu, in the order of ux-and-documents §2.1. Only what the user may open is shown.
const MENU: &[(MenuItem, Option<Action>)] = &[
    (MenuItem { key: "home", href: "/", zh: "工作台", en: "Workbench", icon: "⌂" }, None),
    (
        MenuItem { key: "org", href: "/org", zh: "组织机构", en: "Organisation", icon: "◫" },
        Some(Action::OrgView),
    ),
    (
        MenuItem { key: "people", href: "/people", zh: "人员与执法证", en: "People", icon: "☰" },
        Some(Action::PersonView),
    ),
    (
        MenuItem { key: "matters", href: "/matters", zh: "事项受理", en: "Matters", icon: "☏" },
        Some(Action::MatterView),
    ),
    (
        MenuItem {
            key: "matter_indicators",
            href: "/matters/indicators",
            zh: "事项指标与721",
            en: "Matter indicators",
            icon: "◑",
        },
        Some(Action::MatterView),
    ),
    (
        MenuItem {
            key: "joint", href: "/matters/meetings", zh: "联席会议", en: "Joint meetings", icon: "⚭"
        },
        Some(Action::MatterView),
    ),
    (
        MenuItem {
            key: "catalogue",
            href: "/matters/catalogue",
            zh: "事项目录与协作部门",
            en: "Catalogue",
            icon: "☰",
        },
        Some(Action::MatterView),
    ),
    (
        MenuItem {
            key: "disclosures", href: "/disclosures", zh: "决定公开", en: "Publication", icon: "◈"
        },
        Some(Action::DisclosureView),
    ),
    (
        MenuItem {
            key: "legal_help",
            href: "/legal-help",
            zh: "巡回法庭与法律服务",
            en: "Court and legal help",
            icon: "⚖",
        },
        Some(Action::LegalHelpView),
    ),
    (
        MenuItem { key: "talks", href: "/talks", zh: "三步走约谈", en: "Three-step talks", icon: "☷" },
        Some(Action::TalkView),
    ),
    (
        MenuItem {
            key: "new_sites",
            href: "/new-sites",
            zh: "管理重心前移",
            en: "New roads and estates",
            icon: "⇢",
        },
        Some(Action::NewSiteView),
    ),
    (
        MenuItem {
            key: "vending",
            href: "/vending-points",
            zh: "便民服务点",
            en: "Vending points",
            icon: "⌂",
        },
        Some(Action::VendingView),
    ),
    (
        MenuItem {
            key: "special_care",
            href: "/care/entries",
            zh: "关怀档案",
            en: "Special care",
            icon: "♡",
        },
        Some(Action::SpecialCare),
    ),
    (
        MenuItem { key: "cases", href: "/cases", zh: "案件办理", en: "Cases", icon: "✎" },
        Some(Action::CaseView),
    ),
    (
        MenuItem {
            key: "deadlines", href: "/cases/deadlines", zh: "期限预警", en: "Deadlines", icon: "◷"
        },
        Some(Action::CaseView),
    ),
    (
        MenuItem {
            key: "items",
            href: "/responsibility-list",
            zh: "权责清单",
            en: "Responsibility list",
            icon: "§",
        },
        Some(Action::CaseView),
    ),
    (
        MenuItem {
            key: "assessment",
            href: "/assessment",
            zh: "中队目标考核",
            en: "Squad assessment",
            icon: "★",
        },
        Some(Action::AssessmentView),
    ),
    (
        MenuItem {
            key: "counselling",
            href: "/counselling",
            zh: "心灵管理辅导",
            en: "Counselling",
            icon: "☼",
        },
        Some(Action::CounsellingCounts),
    ),
    (
        MenuItem { key: "stars", href: "/stars", zh: "星级队员", en: "Star ratings", icon: "✦" },
        Some(Action::StarView),
    ),
    (
        MenuItem { key: "stars_mine", href: "/stars/mine", zh: "我的星级", en: "My stars", icon: "☆" },
        Some(Action::SelfService),
    ),
    (
        MenuItem { key: "top_ten", href: "/top-ten", zh: "十佳评比", en: "Top-ten awards", icon: "✪" },
        Some(Action::TopTenView),
    ),
    (
        MenuItem { key: "publicity", href: "/publicity", zh: "宣传台账", en: "Publicity", icon: "✎" },
        Some(Action::PublicityView),
    ),
    (
        MenuItem { key: "supervision", href: "/supervision", zh: "督察", en: "Supervision", icon: "◎" },
        Some(Action::SupervisionView),
    ),
    (
        MenuItem {
            key: "supervision_mine",
            href: "/supervision/mine",
            zh: "我的意见",
            en: "My opinions",
            icon: "✉",
        },
        Some(Action::SupervisionOwn),
    ),
    (
        MenuItem {
            key: "counselling_mine",
            href: "/counselling/mine",
            zh: "我的辅导记录",
            en: "My counselling",
            icon: "☺",
        },
        Some(Action::SelfService),
    ),
    (
        MenuItem { key: "training", href: "/training", zh: "教育培训", en: "Training", icon: "✓" },
        Some(Action::TrainingView),
    ),
    (
        MenuItem {
            key: "training_compliance",
            href: "/training/compliance",
            zh: "学习达标",
            en: "Study compliance",
            icon: "◔",
        },
        Some(Action::TrainingView),
    ),
    (
        MenuItem {
            key: "simulator", href: "/simulator", zh: "办案规则模拟", en: "Simulator", icon: "⚖"
        },
        Some(Action::CaseSimulate),
    ),
    (
        MenuItem { key: "evidence", href: "/evidence", zh: "证据管理", en: "Evidence", icon: "▣" },
        Some(Action::EvidenceView),
    ),
    (
        MenuItem {
            key: "patrols", href: "/patrols", zh: "巡查与专项行动", en: "Patrols", icon: "⚑"
        },
        Some(Action::EvidenceView),
    ),
    (
        MenuItem {
            key: "recording",
            href: "/evidence/recording",
            zh: "全过程记录检查",
            en: "Recording compliance",
            icon: "●",
        },
        Some(Action::EvidenceView),
    ),
    (
        MenuItem { key: "devices", href: "/devices", zh: "执法记录仪", en: "Devices", icon: "◉" },
        Some(Action::EvidenceView),
    ),
    (
        MenuItem {
            key: "evidence_deletions",
            href: "/evidence/deletions",
            zh: "证据删除审批",
            en: "Evidence deletions",
            icon: "⌫",
        },
        Some(Action::EvidenceDeleteApprove),
    ),
    (
        MenuItem { key: "parties", href: "/parties", zh: "当事人库", en: "Parties", icon: "◎" },
        Some(Action::PartyView),
    ),
    (
        MenuItem {
            key: "calendar", href: "/calendar", zh: "节假日与期限", en: "Calendar", icon: "▦"
        },
        None,
    ),
    (
        MenuItem {
            key: "accounts", href: "/admin/accounts", zh: "账号管理", en: "Accounts", icon: "⚙"
        },
        Some(Action::AccountAdmin),
    ),
    (
        MenuItem {
            key: "account_grants",
            href: "/admin/account-grants",
            zh: "账号授权",
            en: "Account grants",
            icon: "✓",
        },
        Some(Action::AccountGrant),
    ),
    (
        MenuItem {
            key: "security",
            href: "/security/policy",
            zh: "安全策略",
            en: "Security policy",
            icon: "◆",
        },
        Some(Action::SecurityPolicy),
    ),
    (
        MenuItem { key: "audit", href: "/audit", zh: "审计日志", en: "Audit log", icon: "▤" },
        Some(Action::AuditRead),
    ),
];

/// The frame around every signed-in page.
pub struct Chrome {
    pub l: Lang,
    pub active: &'static str,
    pub title_zh: String,
    pub title_en: String,
    pub display_name: String,
    pub role_label: String,
    pub unit_name: String,
    pub today: String,
    pub csrf: String,
    pub menu: Vec<&'static MenuItem>,
}

impl Chrome {
    pub async fn new(
        state: &AppState,
        principal: &Principal,
        headers: &HeaderMap,
        active: &'static str,
        title_zh: &str,
        title_en: &str,
    ) -> Result<Chrome, PageError> {
        let l = Lang::from_headers(headers);
        let unit_name = match &principal.unit_id {
            Some(id) => state.db.unit(id).await?.map(|u| u.name).unwrap_or_default(),
            None => String::new(),
        };
        let role_label = principal
            .roles
            .roles()
            .iter()
            .map(|r| match l {
                Lang::Zh => r.name_zh(),
                Lang::En => r.name_en(),
            })
            .collect::<Vec<_>>()
            .join("、");
        let menu = MENU
            .iter()
            .filter(|(_, action)| action.is_none_or(|a| principal.has(a)))
            .map(|(item, _)| item)
            .collect();
        Ok(Chrome {
            l,
            active,
            title_zh: title_zh.to_owned(),
            title_en: title_en.to_owned(),
            display_name: principal.display_name.clone(),
            role_label,
            unit_name,
            today: display_date_long(civil_date(state.now())),
            csrf: principal.csrf_token().to_owned(),
            menu,
        })
    }

    pub fn title(&self) -> &str {
        self.l.t(&self.title_zh, &self.title_en)
    }
}

/// Renders a template into a response; a template error is an internal error.
pub fn render(template: &impl Template) -> Result<Response, PageError> {
    let html = template.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(Html(html).into_response())
}

/// A page answered with another status than 200: a form with errors (422), a conflict (409).
pub fn render_status(
    template: &impl Template,
    status: axum::http::StatusCode,
) -> Result<Response, PageError> {
    let mut response = render(template)?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub message_zh: String,
    pub message_en: &'static str,
    pub code: &'static str,
}

impl ErrorPage {
    pub fn render_or_plain(&self) -> String {
        self.render().unwrap_or_else(|_| format!("{} {}", self.status, self.message_zh))
    }
}

/// Page numbers for a list: the current page, the last page, and the buttons to show.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub page_size: i64,
    /// The query string without `page`, so links keep the filter.
    pub query: String,
}

impl Pager {
    pub fn new(page: i64, page_size: i64, total: i64, query: String) -> Pager {
        let pages = ((total + page_size - 1) / page_size).max(1);
        Pager { page: page.clamp(1, pages), pages, total, page_size, query }
    }
    /// Up to seven page buttons around the current page.
    pub fn window(&self) -> Vec<i64> {
        let start = (self.page - 3).max(1);
        let end = (start + 6).min(self.pages);
        let start = (end - 6).max(1);
        (start..=end).collect()
    }
    /// The total as shown: a count the store capped reads "1000+".
    pub fn total_label(&self) -> String {
        if self.total > crate::store::cases::COUNT_CAP {
            format!("{}+", crate::store::cases::COUNT_CAP)
        } else {
            self.total.to_string()
        }
    }
    pub fn href(&self, page: impl std::borrow::Borrow<i64>) -> String {
        let page = page.borrow();
        if self.query.is_empty() { format!("?page={page}") } else { format!("?{}&page={page}", self.query) }
    }
}

/// The status of a re-rendered form: 409 when someone else changed the record, 422 when a
/// field was refused, else 200.
pub fn form_status(conflict: bool, errors: &crate::domain::fields::FieldErrors) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    if conflict {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// Query-string values come in as text; a page number that does not parse is page 1.
pub fn page_number(raw: &str) -> i64 {
    raw.parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1)
}

pub fn page_size(raw: &str) -> i64 {
    let size = raw.parse::<i64>().unwrap_or(20);
    if matches!(size, 10 | 20 | 30 | 50) { size } else { 20 }
}
