//! Mainland mobile numbers: the login name, and personal data to be shown masked.

/// 11 digits, starting 13–19.
pub fn is_valid(phone: &str) -> bool {
    let bytes = phone.as_bytes();
    bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
}

/// Spaces, dashes and a +86 prefix are how people write numbers; none is part of one.
pub fn normalise(input: &str) -> String {
    let digits: String = input
        .chars()
        // Control characters (a NUL among them, which PostgreSQL refuses in text) are never
        // part of a number either.
        .filter(|c| !c.is_whitespace() && *c != '-' && !c.is_control())
        .collect();
    digits
        .strip_prefix("+86")
        .map(str::to_owned)
        .unwrap_or(digits)
}

/// 138****1234: what everybody but the owner and the staff who need it sees.
pub fn mask(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "***".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_mainland_mobiles_only() {
        assert!(is_valid("13812341234"));
        assert!(is_valid("19912345678"));
        assert!(!is_valid("12812341234"), "no 12x numbers");
        assert!(!is_valid("1381234123"), "too short");
        assert!(!is_valid("1381234123a"));
        assert!(!is_valid("057487654321"));
    }

    #[test]
    fn normalises_what_people_type() {
        assert_eq!(normalise("+86 138-1234-1234"), "13812341234");
        assert_eq!(normalise(" 13812341234 "), "13812341234");
    }

    #[test]
    fn masks_the_middle_four_digits() {
        assert_eq!(mask("13812341234"), "138****1234");
        assert_eq!(mask("bad"), "***");
    }
}
