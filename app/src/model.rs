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
