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
