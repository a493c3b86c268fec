//! 统一社会信用代码 (unified social credit code), GB 32100-2015.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters the standard uses, in value order (no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of position i is 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为 18 位，实际 {0} 位")]
    WrongLength(usize),
    #[error("统一社会信用代码第 {position} 位“{ch}”不是有效字符")]
    InvalidChar { position: usize, ch: char },
    #[error("统一社会信用代码校验位错误（应为 {expected}）")]
    CheckDigit { expected: char },
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let code = input.trim().to_ascii_uppercase();
        let len = code.chars().count();
        if len != 18 {
            return Err(CreditCodeError::WrongLength(len));
        }
        let mut values = Vec::with_capacity(18);
        for (i, ch) in code.chars().enumerate() {
            let value = ALPHABET.iter().position(|&a| a as char == ch).ok_or(
                CreditCodeError::InvalidChar {
                    position: i + 1,
                    ch,
                },
            )?;
            values.push(value as u32);
        }
        let expected = check_char(&values[..17]);
        if ALPHABET[values[17] as usize] as char != expected {
            return Err(CreditCodeError::CheckDigit { expected });
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_char(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    ALPHABET[((31 - sum % 31) % 31) as usize] as char
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_standards_example_and_lowercase() {
        // The worked example printed in GB 32100-2015.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ").unwrap().as_str(),
            "91350100M000100Y43"
        );
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckDigit { expected: '3' })
        );
    }

    #[test]
    fn rejects_letters_outside_the_alphabet_and_wrong_lengths() {
        assert_eq!(
            CreditCode::parse("91350100M000100I43"),
            Err(CreditCodeError::InvalidChar {
                position: 16,
                ch: 'I'
            })
        );
        assert_eq!(
            CreditCode::parse("9135010"),
            Err(CreditCodeError::WrongLength(7))
        );
    }
}
