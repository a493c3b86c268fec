//! Records as screens show them, shared by the database layer (which fills
//! them) and the views (which also compile to WebAssembly).

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Region {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub level: String,
}

/// A unit as admin screens show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    pub id: i64,
    pub region_id: i64,
    pub region_name: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub industry: String,
    pub is_key_unit: bool,
    pub is_public_gathering: bool,
    pub has_control_room: bool,
    pub control_room_linkage: bool,
    pub is_demo: bool,
    /// People in post today.
    pub people: i64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AuditLine {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub unit: Option<String>,
    pub target: String,
    pub detail: String,
}

/// Who a course is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    Public,
    Employee,
    Operator,
    Manager,
}

impl Audience {
    pub const ALL: [Audience; 4] = [
        Audience::Public,
        Audience::Employee,
        Audience::Operator,
        Audience::Manager,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Employee => "employee",
            Audience::Operator => "operator",
            Audience::Manager => "manager",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Audience::Public => "公众",
            Audience::Employee => "员工",
            Audience::Operator => "消防控制室值班员",
            Audience::Manager => "消防安全管理人",
        }
    }

    pub fn parse(code: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The audiences whose courses a person holding `post` should take.
    pub fn for_post(post: crate::domain::Post) -> &'static [Audience] {
        use crate::domain::Post;
        match post {
            Post::Employee | Post::FireStationMember => &[Audience::Public, Audience::Employee],
            Post::ControlRoomOperator => {
                &[Audience::Public, Audience::Employee, Audience::Operator]
            }
            Post::SafetyManager | Post::SafetyPrincipal => {
                &[Audience::Public, Audience::Employee, Audience::Manager]
            }
        }
    }
}

/// A lesson found by search.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hit {
    pub course: String,
    pub course_title: String,
    pub lesson: String,
    pub title: String,
    pub snippet: String,
}

/// An operator credential as admin screens show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CredentialRow {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub unit_id: i64,
    pub level: i64,
    pub number: String,
    pub issuer: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    pub checked: bool,
    pub has_photo: bool,
}

/// An offline training session or drill, as the unit's list shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SessionLine {
    pub id: i64,
    pub kind: String,
    pub held_on: String,
    pub topic: String,
    pub attendees: i64,
}

/// `num` of `den`, as a coverage table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cell {
    pub num: u32,
    pub den: u32,
}

impl Cell {
    /// One decimal, "—" when nothing applies (den 0).
    pub fn percent_text(&self) -> String {
        if self.den == 0 {
            "—".to_string()
        } else {
            format!("{:.1}%", f64::from(self.num) * 100.0 / f64::from(self.den))
        }
    }
}

/// One headline rate with its target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    pub metric: String,
    pub label: String,
    pub cell: Cell,
    /// "人" or, for drills, "家".
    pub counted: String,
    pub target_percent: Option<f64>,
    pub due: Option<String>,
    /// People (units for drills) still needed to reach the target.
    pub gap: u32,
    pub required_now: Option<f64>,
    pub on_track: Option<bool>,
}

/// A table row: a village, a unit or an industry, with the four cells in
/// the order of `Metric::ALL`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoverageRow {
    pub name: String,
    pub link: Option<String>,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MonthRow {
    /// "2026-10".
    pub month: String,
    /// The day the month's figures are taken (its last day, or today).
    pub as_of: String,
    pub cells: Vec<Cell>,
}

/// The action lists (待办): who or what needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActionList {
    OperatorsWithout,
    CredentialsExpiring,
    CertificatesExpiring,
    OverdueTraining,
    OverdueDrill,
}

impl ActionList {
    pub const ALL: [ActionList; 5] = [
        ActionList::OperatorsWithout,
        ActionList::CredentialsExpiring,
        ActionList::CertificatesExpiring,
        ActionList::OverdueTraining,
        ActionList::OverdueDrill,
    ];

    /// Its path segment: `/admin/regions/<id>/coverage/<code>`.
    pub fn code(self) -> &'static str {
        match self {
            ActionList::OperatorsWithout => "operators-without",
            ActionList::CredentialsExpiring => "credentials-expiring",
            ActionList::CertificatesExpiring => "certificates-expiring",
            ActionList::OverdueTraining => "overdue-training",
            ActionList::OverdueDrill => "overdue-drill",
        }
    }

    pub fn parse(code: &str) -> Option<ActionList> {
        ActionList::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn title(self) -> &'static str {
        match self {
            ActionList::OperatorsWithout => "无合格证书的值班员",
            ActionList::CredentialsExpiring => "60天内到期的操作员证书",
            ActionList::CertificatesExpiring => "60天内到期的培训合格证明",
            ActionList::OverdueTraining => "培训逾期的单位",
            ActionList::OverdueDrill => "演练逾期的单位",
        }
    }

    /// Shown when the list is empty.
    pub fn empty(self) -> &'static str {
        match self {
            ActionList::OperatorsWithout => "所有值班员均持证上岗。",
            ActionList::CredentialsExpiring => "近期没有到期的证书。",
            ActionList::CertificatesExpiring => "近期没有到期的培训证明。",
            ActionList::OverdueTraining => "各单位培训均在期限内。",
            ActionList::OverdueDrill => "各单位演练均在期限内。",
        }
    }
}

/// One line of an action list, and the page it leads to.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActionItem {
    pub text: String,
    pub link: Option<String>,
}

/// An action list, most urgent first: how long it is, and the items carried
/// (all of them in a report, the first few on the dashboard, one page on
/// the list's own page).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ActionItems {
    pub total: i64,
    pub items: Vec<ActionItem>,
}

impl ActionItems {
    pub fn all(items: Vec<ActionItem>) -> ActionItems {
        ActionItems {
            total: i64::try_from(items.len()).unwrap_or(i64::MAX),
            items,
        }
    }

    /// The same list carrying only the items in `rows` (clamped to those
    /// there are).
    pub fn only(&self, rows: std::ops::Range<usize>) -> ActionItems {
        let end = rows.end.min(self.items.len());
        ActionItems {
            total: self.total,
            items: self.items[rows.start.min(end)..end].to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ActionLists {
    pub operators_without: ActionItems,
    pub credentials_expiring: ActionItems,
    pub certificates_expiring: ActionItems,
    pub overdue_training: ActionItems,
    pub overdue_drill: ActionItems,
}

impl ActionLists {
    pub fn get(&self, list: ActionList) -> &ActionItems {
        match list {
            ActionList::OperatorsWithout => &self.operators_without,
            ActionList::CredentialsExpiring => &self.credentials_expiring,
            ActionList::CertificatesExpiring => &self.certificates_expiring,
            ActionList::OverdueTraining => &self.overdue_training,
            ActionList::OverdueDrill => &self.overdue_drill,
        }
    }

    /// Every list with only its first `n` items (the most urgent).
    pub fn first(&self, n: usize) -> ActionLists {
        let first = |list| self.get(list).only(0..n);
        ActionLists {
            operators_without: first(ActionList::OperatorsWithout),
            credentials_expiring: first(ActionList::CredentialsExpiring),
            certificates_expiring: first(ActionList::CertificatesExpiring),
            overdue_training: first(ActionList::OverdueTraining),
            overdue_drill: first(ActionList::OverdueDrill),
        }
    }
}

/// Everything the dashboard shows and the reports export, computed once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoverageReport {
    pub scope_name: String,
    pub as_of: String,
    pub headlines: Vec<Figure>,
    pub by_region: Vec<CoverageRow>,
    pub by_unit: Vec<CoverageRow>,
    pub by_industry: Vec<CoverageRow>,
    pub monthly: Vec<MonthRow>,
    pub actions: ActionLists,
    /// (metric label, SVG) trend charts.
    pub charts: Vec<(String, String)>,
    /// When the facts behind the figures were read (Unix seconds, UTC).
    pub loaded_at: i64,
    /// Newer facts are loading (`crate::coverage_cache`): the figures are
    /// those of `loaded_at` and miss the latest changes.
    pub outdated: bool,
}

/// What the dashboard page shows: the report with one page of its unit
/// table (a province has 100 000 units) and the first items of each action
/// list (a province's would be megabytes).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoverageDashboard {
    /// Its `by_unit` holds only the rows of page `unit_page`, its action
    /// lists their most urgent items (with their full `total`).
    pub report: CoverageReport,
    /// 1-based.
    pub unit_page: i64,
    pub unit_pages: i64,
    /// Units in the whole table.
    pub units: i64,
}

/// One page of one action list, on the list's own page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ActionPage {
    pub scope_name: String,
    pub as_of: String,
    pub list: ActionList,
    /// The items of page `page`.
    pub items: ActionItems,
    /// 1-based.
    pub page: i64,
    pub pages: i64,
    pub loaded_at: i64,
    pub outdated: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> ActionItems {
        ActionItems::all(
            (0..n)
                .map(|i| ActionItem {
                    text: format!("第{i}项"),
                    link: None,
                })
                .collect(),
        )
    }

    #[test]
    fn a_shortened_list_keeps_its_total_and_its_first_items() {
        let long = list(30);
        let short = long.only(0..20);
        assert_eq!(short.total, 30);
        assert_eq!(short.items, long.items[..20]);
        assert_eq!(long.only(25..45).items, long.items[25..]);
        assert!(long.only(40..60).items.is_empty());
        assert_eq!(list(3).only(0..20), list(3));

        let lists = ActionLists {
            overdue_drill: long.clone(),
            credentials_expiring: list(2),
            ..ActionLists::default()
        };
        let first = lists.first(20);
        assert_eq!(first.get(ActionList::OverdueDrill), &short);
        assert_eq!(first.get(ActionList::CredentialsExpiring), &list(2));
        assert_eq!(first.get(ActionList::OperatorsWithout).total, 0);
    }

    #[test]
    fn every_action_list_has_its_own_code() {
        for l in ActionList::ALL {
            assert_eq!(ActionList::parse(l.code()), Some(l));
        }
        assert_eq!(ActionList::parse("nonsense"), None);
    }
}
