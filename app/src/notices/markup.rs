//! Markdown-lite for notice bodies: paragraphs, line breaks, "- " lists and **bold**. It is
//! parsed into blocks that the page renders as elements, so no text from the database is
//! ever interpreted as HTML: sanitising by construction.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Bold(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Lines of a paragraph, each a run of inline pieces.
    Paragraph(Vec<Vec<Inline>>),
    List(Vec<Vec<Inline>>),
}

fn inline(line: &str) -> Vec<Inline> {
    line.split("**")
        .enumerate()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(i, piece)| {
            if i % 2 == 1 {
                Inline::Bold(piece.to_owned())
            } else {
                Inline::Text(piece.to_owned())
            }
        })
        .collect()
}

fn list_item(line: &str) -> Option<&str> {
    line.trim_start()
        .strip_prefix("- ")
        .or_else(|| line.trim_start().strip_prefix("* "))
}

pub fn parse(text: &str) -> Vec<Block> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|paragraph| {
            let lines: Vec<&str> = paragraph.lines().map(str::trim).collect();
            if lines.iter().all(|l| list_item(l).is_some()) {
                Block::List(
                    lines
                        .iter()
                        .filter_map(|l| list_item(l))
                        .map(inline)
                        .collect(),
                )
            } else {
                Block::Paragraph(lines.into_iter().map(inline).collect())
            }
        })
        .collect()
}

fn pieces(line: Vec<Inline>) -> impl IntoView {
    line.into_iter()
        .map(|piece| match piece {
            Inline::Text(text) => text.into_any(),
            Inline::Bold(text) => view! { <strong>{text}</strong> }.into_any(),
        })
        .collect_view()
}

/// A notice body as elements.
#[component]
pub fn Markup(text: String) -> impl IntoView {
    parse(&text)
        .into_iter()
        .map(|block| match block {
            Block::Paragraph(lines) => {
                let count = lines.len();
                view! {
                    <p>
                        {lines
                            .into_iter()
                            .enumerate()
                            .map(|(i, line)| {
                                view! {
                                    {pieces(line)}
                                    {(i + 1 < count).then(|| view! { <br /> })}
                                }
                            })
                            .collect_view()}
                    </p>
                }
                    .into_any()
            }
            Block::List(items) => {
                view! { <ul>{items.into_iter().map(|item| view! { <li>{pieces(item)}</li> }).collect_view()}</ul> }
                    .into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_bold_and_nothing_else() {
        let blocks = parse(
            "**警惕**冒充公检法\n来电\n\n- 不转账\n- 不透露验证码\n\n<script>alert(1)</script>",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    vec![
                        Inline::Bold("警惕".into()),
                        Inline::Text("冒充公检法".into())
                    ],
                    vec![Inline::Text("来电".into())],
                ]),
                Block::List(vec![
                    vec![Inline::Text("不转账".into())],
                    vec![Inline::Text("不透露验证码".into())],
                ]),
                // Markup is text: the page escapes it like any other.
                Block::Paragraph(vec![vec![Inline::Text("<script>alert(1)</script>".into())]]),
            ]
        );
    }
}
