//! State-issued 消防设施操作员 certificates: the level, the number, and
//! whether one qualifies an operator for a given control room.

use serde::{Deserialize, Serialize};

/// 五级 (初级) is the lowest, 一级 (高级技师) the highest; stored as 5…1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Level(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知等级“{0}”（可选：五级、四级、三级、二级、一级）")]
pub struct UnknownLevel(pub String);

impl Level {
    pub const ALL: [Level; 5] = [Level(5), Level(4), Level(3), Level(2), Level(1)];

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn from_number(n: i64) -> Option<Level> {
        (1..=5).contains(&n).then_some(Level(n as u8))
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            5 => "五级（初级工）",
            4 => "四级（中级工）",
            3 => "三级（高级工）",
            2 => "二级（技师）",
            _ => "一级（高级技师）",
        }
    }

    /// Accepts 五级…一级, the titles (初级, 中级, 高级, 技师, 高级技师) and
    /// the digits 5…1, as people write them on forms.
    pub fn parse(input: &str) -> Result<Level, UnknownLevel> {
        let s = input.trim();
        let n = match s {
            "5" | "五级" | "初级" | "初级工" => 5,
            "4" | "四级" | "中级" | "中级工" => 4,
            "3" | "三级" | "高级" | "高级工" => 3,
            "2" | "二级" | "技师" => 2,
            "1" | "一级" | "高级技师" => 1,
            _ => return Err(UnknownLevel(s.to_string())),
        };
        Ok(Level(n))
    }

    /// Any level qualifies an operator; where the control room has linkage
    /// control, 四级 (中级) or higher is required (DESIGN.md, "Coverage").
    pub fn qualifies(self, linkage: bool) -> bool {
        !linkage || self.0 <= 4
    }
}

/// The certificate number as printed: letters and digits, 6–40 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadNumber {
    #[error("请填写证书编号")]
    Empty,
    #[error("证书编号应为6到40位字母或数字")]
    Shape,
}

impl CredentialNumber {
    pub fn parse(input: &str) -> Result<CredentialNumber, BadNumber> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(BadNumber::Empty);
        }
        let len = s.chars().count();
        if !(6..=40).contains(&len) || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(BadNumber::Shape);
        }
        Ok(CredentialNumber(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_from_what_people_write() {
        assert_eq!(Level::parse("五级").unwrap().number(), 5);
        assert_eq!(Level::parse(" 中级 ").unwrap().number(), 4);
        assert_eq!(Level::parse("高级技师").unwrap().number(), 1);
        assert_eq!(Level::parse("2").unwrap().number(), 2);
        assert!(Level::parse("六级").is_err());
        assert!(Level::from_number(0).is_none());
    }

    #[test]
    fn linkage_rooms_need_level_four_or_higher() {
        let five = Level::parse("五级").unwrap();
        let four = Level::parse("四级").unwrap();
        assert!(five.qualifies(false));
        assert!(!five.qualifies(true));
        assert!(four.qualifies(true));
        assert!(Level::parse("一级").unwrap().qualifies(true));
    }

    #[test]
    fn numbers_are_normalised_and_checked() {
        assert_eq!(
            CredentialNumber::parse(" s1405 2024 0001 ")
                .unwrap()
                .as_str(),
            "S140520240001"
        );
        assert_eq!(CredentialNumber::parse(""), Err(BadNumber::Empty));
        assert_eq!(CredentialNumber::parse("12345"), Err(BadNumber::Shape));
        assert_eq!(CredentialNumber::parse("证书123456"), Err(BadNumber::Shape));
    }
}
