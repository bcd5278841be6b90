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

/// The first `max` characters of `text`: what fits a column of that length.
pub fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Spreadsheets for people who open them in Excel: UTF-8 led by a byte-order mark, without
/// which Excel reads Chinese as GBK.
pub(crate) const CSV_BOM: char = '\u{feff}';

/// A case code as typed, in the form codes are stored. Codes are letters, digits and dashes:
/// anything else (a NUL, which PostgreSQL refuses in text) becomes a character no code has,
/// so it names no case.
pub(crate) fn case_code(code: &str) -> String {
    code.trim()
        .to_ascii_uppercase()
        .replace(|c: char| c.is_control(), "?")
}

/// One CSV row (RFC 4180), ended by CRLF: fields with a comma, quote or line break quoted,
/// quotes doubled; a field a spreadsheet would take for a formula — starting with = + - @
/// or a tab — led by an apostrophe.
pub(crate) fn push_csv_row<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        // A notice title or a log value such as `=HYPERLINK(…)` must stay text in the
        // reader's spreadsheet.
        let defused;
        let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            defused = format!("'{field}");
            defused.as_str()
        } else {
            field
        };
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
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
