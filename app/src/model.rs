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

/// Who needs attention, for the action lists.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ActionLists {
    /// (name, unit)
    pub operators_without: Vec<(String, String)>,
    /// (name, unit, expires)
    pub credentials_expiring: Vec<(String, String, String)>,
    /// (name, course, valid until)
    pub certificates_expiring: Vec<(String, String, String)>,
    pub overdue_training: Vec<(String, Option<String>)>,
    pub overdue_drill: Vec<(String, Option<String>)>,
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
/// table (a province has 100 000 units).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CoverageDashboard {
    /// Its `by_unit` holds only the rows of page `unit_page`.
    pub report: CoverageReport,
    /// 1-based.
    pub unit_page: i64,
    pub unit_pages: i64,
    /// Units in the whole table.
    pub units: i64,
}
