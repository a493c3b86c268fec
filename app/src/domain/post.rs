//! Posts (岗位) a person can hold in a unit.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Post {
    Employee,
    ControlRoomOperator,
    FireStationMember,
    SafetyManager,
    SafetyPrincipal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "未知岗位“{0}”（可选：员工、消防控制室值班员、微型消防站队员、消防安全管理人、消防安全责任人）"
)]
pub struct UnknownPost(pub String);

impl Post {
    pub const ALL: [Post; 5] = [
        Post::Employee,
        Post::ControlRoomOperator,
        Post::FireStationMember,
        Post::SafetyManager,
        Post::SafetyPrincipal,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Post::Employee => "employee",
            Post::ControlRoomOperator => "operator",
            Post::FireStationMember => "station",
            Post::SafetyManager => "manager",
            Post::SafetyPrincipal => "principal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Post::Employee => "员工",
            Post::ControlRoomOperator => "消防控制室值班员",
            Post::FireStationMember => "微型消防站队员",
            Post::SafetyManager => "消防安全管理人",
            Post::SafetyPrincipal => "消防安全责任人",
        }
    }

    /// Accepts the Chinese label (as rosters are written) or the stored code.
    pub fn parse(input: &str) -> Result<Post, UnknownPost> {
        let input = input.trim();
        Post::ALL
            .into_iter()
            .find(|p| p.label() == input || p.code() == input)
            .ok_or_else(|| UnknownPost(input.to_string()))
    }
}

impl fmt::Display for Post {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_and_codes_and_round_trips() {
        for post in Post::ALL {
            assert_eq!(Post::parse(post.label()), Ok(post));
            assert_eq!(Post::parse(post.code()), Ok(post));
        }
        assert_eq!(
            Post::parse(" 消防控制室值班员 "),
            Ok(Post::ControlRoomOperator)
        );
    }

    #[test]
    fn names_the_unknown_post() {
        let err = Post::parse("保安").unwrap_err();
        assert!(err.to_string().contains("保安"));
    }
}
