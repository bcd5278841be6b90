//! The directory as a spreadsheet file: one CSV format for import and export.
//!
//! The first row names the columns, in Chinese or English, in any order:
//!
//! | column | English | what |
//! |---|---|---|
//! | 类型 | kind | 警务室, 社区, 小区, 互助站, 调解室, 联络室, 学校, 企业, 小分队 (or `police_office`, …) |
//! | 名称 | name | the organisation's name: how a row finds it again |
//! | 上级 | parent | a community's or liaison room's police office; a compound's, mutual-aid station's, branch room's, school's or enterprise's community (a station's compound as `社区/小区`); a 护苗队's school; empty for a main mediation room |
//! | 地址 | address | police offices, mediation rooms, schools and enterprises |
//! | 开放时间 | hours | mediation rooms |
//! | 电话 | phone | mediation rooms |
//! | 说明 | description | police offices (speciality), liaison rooms, squads |
//! | 党员骨干 / 协调员 / 治安指导员 | initiator / coordinator / officer | mutual-aid stations |
//! | 状态 | status | empty or 在用 (in service); 撤销 (retired) |
//!
//! Only 类型 and 名称 are required. A row finds its organisation by kind and name (a
//! compound by its community and name): a new name makes a new organisation, a known one
//! is updated, so importing the same file twice changes nothing. A column the file does
//! not have leaves that field as it is (an empty cell empties it), so a file of two
//! columns and a status retires without touching addresses. Renames are made on the
//! admin pages. Files come in UTF-8, with or without a byte-order mark, or in GBK (what
//! Excel on a Chinese Windows writes); exports are UTF-8 with a mark, which Excel opens.

use super::Field;
use super::Kind;
use super::admin::Entry;
use crate::{Error, Result};

/// More rows than this are not one station's directory.
pub const MAX_ROWS: usize = 5000;

/// Every code a file's problems are named by; each is a translation key taking `line` and
/// `value`.
pub const PROBLEM_CODES: &[&str] = &[
    "directory-file-csv",
    "directory-file-no-header",
    "directory-file-column",
    "directory-file-too-many",
    "directory-file-kind",
    "directory-file-status",
    "directory-file-not-used",
    "directory-file-duplicate",
    "directory-file-parent-unknown",
];

/// Refusals of a whole file.
pub const REFUSAL_CODES: &[&str] = &["directory-file-encoding", "directory-file-empty"];

/// How an uploaded file was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Gbk => "gbk",
        }
    }
}

/// The file's text: UTF-8 (a byte-order mark dropped), or else GBK. Bytes that are
/// neither are refused rather than guessed at.
pub fn decode(bytes: &[u8]) -> Result<(Encoding, String)> {
    let (encoding, text) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text =
            std::str::from_utf8(rest).map_err(|_| Error::Invalid("directory-file-encoding"))?;
        (Encoding::Utf8Bom, text.to_owned())
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (Encoding::Utf8, text.to_owned())
    } else {
        let text = encoding_rs::GBK
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or(Error::Invalid("directory-file-encoding"))?;
        (Encoding::Gbk, text.into_owned())
    };
    // A NUL is no spreadsheet's text (UTF-16 is full of them), and PostgreSQL keeps none.
    if text.contains('\0') {
        return Err(Error::Invalid("directory-file-encoding"));
    }
    if text.trim().is_empty() {
        return Err(Error::Invalid("directory-file-empty"));
    }
    Ok((encoding, text))
}

/// The columns, as the export writes them (Chinese) and as they may also be written.
const COLUMNS: [(Column, &str, &str); 11] = [
    (Column::Kind, "类型", "kind"),
    (Column::Name, "名称", "name"),
    (Column::Parent, "上级", "parent"),
    (Column::Field(Field::Address), "地址", "address"),
    (Column::Field(Field::Hours), "开放时间", "hours"),
    (Column::Field(Field::Phone), "电话", "phone"),
    (Column::Field(Field::Description), "说明", "description"),
    (Column::Field(Field::Initiator), "党员骨干", "initiator"),
    (Column::Field(Field::Coordinator), "协调员", "coordinator"),
    (Column::Field(Field::Officer), "治安指导员", "officer"),
    (Column::Status, "状态", "status"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Kind,
    Name,
    Parent,
    Field(Field),
    Status,
}

/// The kinds as the file names them in Chinese; the English names are `Kind::as_str`.
const KIND_NAMES: [(Kind, &str); 9] = [
    (Kind::PoliceOffice, "警务室"),
    (Kind::Community, "社区"),
    (Kind::Compound, "小区"),
    (Kind::AidStation, "互助站"),
    (Kind::MediationRoom, "调解室"),
    (Kind::LiaisonRoom, "联络室"),
    (Kind::School, "学校"),
    (Kind::Enterprise, "企业"),
    (Kind::Squad, "小分队"),
];

const RETIRED: &str = "撤销";
const IN_SERVICE: &str = "在用";

fn kind_named(text: &str) -> Option<Kind> {
    let text = text.trim();
    KIND_NAMES
        .iter()
        .find(|(_, name)| *name == text)
        .map(|(kind, _)| *kind)
        .or_else(|| (text == "自治互助站").then_some(Kind::AidStation))
        .or_else(|| Kind::parse(text))
}

fn kind_name(kind: Kind) -> &'static str {
    KIND_NAMES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, name)| *name)
        .unwrap_or_else(|| kind.as_str())
}

/// One row of a file, read but not yet checked against the directory. `None`: the file
/// has no such column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    pub kind: Option<Kind>,
    pub name: String,
    /// The parent's name; for a mutual-aid station, the community's.
    pub parent: Option<String>,
    /// A mutual-aid station's compound (`社区/小区`).
    pub compound: Option<String>,
    pub address: Option<String>,
    pub hours: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub initiator: Option<String>,
    pub coordinator: Option<String>,
    pub officer: Option<String>,
    /// Retired (撤销) or in service (empty, 在用).
    pub retired: Option<bool>,
}

impl Row {
    fn field_mut(&mut self, field: Field) -> &mut Option<String> {
        match field {
            Field::Address => &mut self.address,
            Field::Hours => &mut self.hours,
            Field::Phone => &mut self.phone,
            Field::Description => &mut self.description,
            Field::Compound => &mut self.compound,
            Field::Initiator => &mut self.initiator,
            Field::Coordinator => &mut self.coordinator,
            Field::Officer => &mut self.officer,
        }
    }
}

/// What is wrong with one line, named by a code (a translation key) and the value at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub code: &'static str,
    pub value: String,
}

impl Problem {
    fn new(line: u64, code: &'static str, value: impl Into<String>) -> Problem {
        Problem {
            line,
            code,
            value: value.into(),
        }
    }
}

/// Reads the rows of a file's text; every line's problem is named, none stops the reading.
pub fn parse(text: &str) -> (Vec<Row>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => {
            let line = e.position().map_or(1, |p| p.line());
            return (
                Vec::new(),
                vec![Problem::new(line, "directory-file-csv", "")],
            );
        }
        None => {
            return (
                Vec::new(),
                vec![Problem::new(1, "directory-file-no-header", "")],
            );
        }
    };
    let mut columns = Vec::new();
    for title in header.iter() {
        let title = title.trim_start_matches('\u{feff}').trim();
        let found = COLUMNS
            .iter()
            .find(|(_, zh, en)| title == *zh || title.eq_ignore_ascii_case(en))
            .map(|(column, _, _)| *column);
        if found.is_none() && !title.is_empty() {
            problems.push(Problem::new(1, "directory-file-column", title));
        }
        columns.push(found);
    }
    if !columns.contains(&Some(Column::Kind)) || !columns.contains(&Some(Column::Name)) {
        problems.push(Problem::new(1, "directory-file-no-header", "类型, 名称"));
        return (Vec::new(), problems);
    }
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(Problem::new(line, "directory-file-csv", ""));
                continue;
            }
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        if rows.len() == MAX_ROWS {
            problems.push(Problem::new(
                line,
                "directory-file-too-many",
                MAX_ROWS.to_string(),
            ));
            break;
        }
        let mut row = Row {
            line,
            ..Row::default()
        };
        let mut kind_text = String::new();
        let mut filled = Vec::new();
        for (column, value) in columns.iter().zip(record.iter()) {
            let value = unguarded(value.trim());
            match column {
                None => {}
                Some(Column::Kind) => kind_text = value.to_owned(),
                Some(Column::Name) => row.name = value.to_owned(),
                Some(Column::Parent) => row.parent = Some(value.to_owned()),
                Some(Column::Field(field)) => {
                    if !value.is_empty() {
                        filled.push(*field);
                    }
                    *row.field_mut(*field) = Some(value.to_owned());
                }
                Some(Column::Status) => match value {
                    "" | IN_SERVICE | "active" => row.retired = Some(false),
                    RETIRED | "已撤销" | "retired" => row.retired = Some(true),
                    other => problems.push(Problem::new(line, "directory-file-status", other)),
                },
            }
        }
        row.kind = kind_named(&kind_text);
        let Some(kind) = row.kind else {
            problems.push(Problem::new(line, "directory-file-kind", kind_text));
            continue;
        };
        for field in filled {
            if !kind.uses(field) {
                let title = COLUMNS
                    .iter()
                    .find(|(c, _, _)| *c == Column::Field(field))
                    .map_or("", |(_, zh, _)| *zh);
                problems.push(Problem::new(line, "directory-file-not-used", title));
            }
        }
        if kind == Kind::AidStation
            && let Some(parent) = row.parent.clone()
        {
            let (community, compound) = parent.split_once('/').unwrap_or((parent.as_str(), ""));
            row.parent = Some(community.trim().to_owned());
            row.compound = Some(compound.trim().to_owned());
        }
        if kind.parent_kind().is_none() && row.parent.as_ref().is_some_and(|p| !p.is_empty()) {
            problems.push(Problem::new(line, "directory-file-not-used", "上级"));
        }
        rows.push(row);
    }
    // Two rows for one organisation would make the outcome depend on their order.
    let mut seen = std::collections::HashMap::new();
    for row in &rows {
        let community = match row.kind {
            Some(Kind::Compound) => row.parent.clone(),
            _ => None,
        };
        let key = (row.kind, community, row.name.clone());
        if let Some(first) = seen.insert(key, row.line) {
            problems.push(Problem::new(
                row.line,
                "directory-file-duplicate",
                first.to_string(),
            ));
        }
    }
    problems.sort_by_key(|p| p.line);
    (rows, problems)
}

/// Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula: the export
/// writes such a cell with a leading `'` (which Excel shows as text and hides), and the
/// import takes that mark off again, so a file goes out and comes back the same.
fn guarded(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// The whole directory as a file: UTF-8 with a byte-order mark (so that Excel reads it as
/// UTF-8), the Chinese header, kind by kind, retired organisations marked 撤销.
pub fn write(entries: &[Entry]) -> Result<Vec<u8>> {
    let names: std::collections::HashMap<(Kind, i32), &str> = entries
        .iter()
        .map(|e| ((e.kind, e.id), e.fields.name.as_str()))
        .collect();
    let name = |kind: Kind, id: Option<i32>| {
        id.and_then(|id| names.get(&(kind, id)).copied())
            .unwrap_or_default()
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let fail = |_| Error::Internal("writing the directory file");
        writer
            .write_record(COLUMNS.iter().map(|(_, zh, _)| *zh))
            .map_err(fail)?;
        for entry in entries {
            let f = &entry.fields;
            let mut parent = entry
                .kind
                .parent_kind()
                .map(|k| name(k, f.parent))
                .unwrap_or_default()
                .to_owned();
            if f.compound.is_some() {
                parent = format!("{parent}/{}", name(Kind::Compound, f.compound));
            }
            let status = if entry.retired_at.is_some() {
                RETIRED
            } else {
                ""
            };
            let cells: [&str; 11] = [
                kind_name(entry.kind),
                &f.name,
                &parent,
                &f.address,
                &f.hours,
                &f.phone,
                &f.description,
                &f.initiator,
                &f.coordinator,
                &f.officer,
                status,
            ];
            writer
                .write_record(cells.map(|cell| guarded(cell).into_owned()))
                .map_err(fail)?;
        }
        writer
            .flush()
            .map_err(|_| Error::Internal("writing the directory file"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_a_mark_and_gbk_read_the_same() {
        let text = "类型,名称\n社区,海晏社区\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(text.as_bytes());
        for (bytes, encoding) in [
            (text.as_bytes().to_vec(), Encoding::Utf8),
            (marked, Encoding::Utf8Bom),
            (gbk.into_owned(), Encoding::Gbk),
        ] {
            let (found, decoded) = decode(&bytes).expect("a readable file");
            assert_eq!((found, decoded.as_str()), (encoding, text));
        }
        for unreadable in [
            &[0xff, 0xff, 0xff][..],
            b"\xff\xfe\x7b\x7c\x00\x00",
            b"a,b\0",
        ] {
            assert!(matches!(
                decode(unreadable),
                Err(Error::Invalid("directory-file-encoding"))
            ));
        }
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_goes_out_as_text_and_comes_back_the_same() {
        assert_eq!(guarded("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guarded("+86 574 8600 0000"), "'+86 574 8600 0000");
        assert_eq!(guarded("海港社区"), "海港社区");
        for cell in ["=1+1", "+86", "-", "@x", "'quoted", "海港"] {
            assert_eq!(unguarded(&guarded(cell)), cell);
        }
    }

    #[test]
    fn each_problem_names_its_line() {
        let text = "类型,名称,上级,电话\n社区,海晏社区,,\n星球,火星,,\n小分队,巡逻队,,123\n社区,海晏社区,,\n";
        let (rows, problems) = parse(text);
        assert_eq!(rows.len(), 3);
        let lines: Vec<(u64, &str)> = problems.iter().map(|p| (p.line, p.code)).collect();
        assert_eq!(
            lines,
            [
                (3, "directory-file-kind"),
                (4, "directory-file-not-used"),
                (5, "directory-file-duplicate")
            ]
        );
    }
}
