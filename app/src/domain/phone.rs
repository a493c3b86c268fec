//! Mainland China mobile numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A mainland mobile number: 11 digits with an allocated prefix. Stored
/// normalised (no spaces, no country code).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("手机号不能为空")]
    Empty,
    #[error("手机号只能包含数字")]
    NotDigits,
    #[error("手机号应为 11 位，实际 {0} 位")]
    WrongLength(usize),
    #[error("手机号号段 {0} 无效")]
    UnknownPrefix(String),
}

impl Phone {
    /// Accepts what people type or Excel exports: spaces, dashes, a `+86`
    /// or `0086` country code.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}' | '\u{a0}'))
            .collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .or_else(|| compact.strip_prefix("86").filter(|rest| rest.len() == 11))
            .unwrap_or(&compact);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if digits.len() != 11 {
            return Err(PhoneError::WrongLength(digits.chars().count()));
        }
        if !is_allocated_prefix(&digits[..3]) {
            return Err(PhoneError::UnknownPrefix(digits[..3].to_string()));
        }
        Ok(Phone(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****1234`, for lists seen by anyone but the person's own unit admin.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Mobile prefixes allocated by MIIT to the three carriers, China Broadnet
/// and virtual operators (13x–19x).
fn is_allocated_prefix(prefix: &str) -> bool {
    let n: u16 = match prefix.parse() {
        Ok(n) => n,
        Err(_) => return false,
    };
    matches!(n,
        130..=139
        | 145..=149
        | 150..=153 | 155..=159
        | 162 | 165..=167
        | 170..=178
        | 180..=189
        | 190..=193 | 195..=199)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_decorated_numbers() {
        for input in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "008613812345678",
            "8613812345678",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "13812345678",
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_wrong_length_letters_and_unallocated_prefixes() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse("1381234567"), Err(PhoneError::WrongLength(10)));
        assert_eq!(
            Phone::parse("138123456789"),
            Err(PhoneError::WrongLength(12))
        );
        assert_eq!(Phone::parse("1381234567a"), Err(PhoneError::NotDigits));
        assert_eq!(
            Phone::parse("12012345678"),
            Err(PhoneError::UnknownPrefix("120".into()))
        );
        assert_eq!(
            Phone::parse("15412345678"),
            Err(PhoneError::UnknownPrefix("154".into()))
        );
        assert_eq!(
            Phone::parse("03566123456"),
            Err(PhoneError::UnknownPrefix("035".into()))
        );
    }

    #[test]
    fn masks_the_middle_four_digits() {
        assert_eq!(Phone::parse("13812345678").unwrap().masked(), "138****5678");
    }
}
