//! What is kept of text people type: no control characters (line breaks excepted), no
//! surrounding space. Pages render it as text, never as HTML, so nothing else needs removing.

pub fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A title or a name: one line, inner runs of space kept as typed.
pub fn one_line(text: &str) -> String {
    clean(text).replace('\n', " ")
}

/// Whether the text has between `min` and `max` characters (not bytes: 字 count as one).
pub fn length_within(text: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_line_breaks_stay() {
        assert_eq!(clean("  楼上\r\n漏水\u{7}  "), "楼上\n漏水");
        assert_eq!(one_line("紧急\n提示"), "紧急 提示");
        assert!(length_within("调解", 2, 2));
    }
}
