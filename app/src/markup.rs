//! Markdown-lite for notices and tea-house posts: paragraphs, line breaks, "- " lists,
//! **bold** and http(s) links (`[text](https://…)` or a bare address). It is parsed into
//! blocks that the page renders as elements and text nodes, so nothing typed is ever
//! interpreted as HTML — sanitising by construction: a `<script>` stays visible text, and a
//! link can only point to http or https (never `javascript:` or `data:`).

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Bold(String),
    Link { text: String, href: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Lines of a paragraph, each a run of inline pieces.
    Paragraph(Vec<Vec<Inline>>),
    List(Vec<Vec<Inline>>),
}

/// Whether `c` may stand in a bare web address; anything else (space, 汉字, quotes, angle
/// brackets) ends it.
fn url_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\'' | '`' | '\\' | '{' | '}' | '|')
}

fn is_web_address(href: &str) -> bool {
    let rest = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && r.chars().all(url_char))
}

/// `[text](href)` at the start of `s`: the link and the length it takes.
fn bracket_link(s: &str) -> Option<(Inline, usize)> {
    let close = s.find("](")?;
    let text = &s[1..close];
    let after = &s[close + 2..];
    let end = after.find(')')?;
    let href = &after[..end];
    (!text.is_empty() && !text.contains('[') && is_web_address(href)).then(|| {
        (
            Inline::Link {
                text: text.to_owned(),
                href: href.to_owned(),
            },
            close + 2 + end + 1,
        )
    })
}

/// A bare address at the start of `s`, without the punctuation that ends a sentence.
fn bare_link(s: &str) -> Option<(Inline, usize)> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    let len = s.find(|c: char| !url_char(c)).unwrap_or(s.len());
    let href = s[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    is_web_address(href).then(|| {
        (
            Inline::Link {
                text: href.to_owned(),
                href: href.to_owned(),
            },
            href.len(),
        )
    })
}

/// Splits plain text into text and links.
fn links(text: &str, out: &mut Vec<Inline>) {
    let mut plain = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let found = match c {
            '[' => bracket_link(rest),
            'h' => bare_link(rest),
            _ => None,
        };
        if let Some((link, used)) = found {
            if !plain.is_empty() {
                out.push(Inline::Text(std::mem::take(&mut plain)));
            }
            out.push(link);
            rest = &rest[used..];
        } else {
            plain.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !plain.is_empty() {
        out.push(Inline::Text(plain));
    }
}

fn inline(line: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, piece) in line.split("**").enumerate() {
        if piece.is_empty() {
            continue;
        }
        if i % 2 == 1 {
            out.push(Inline::Bold(piece.to_owned()));
        } else {
            links(piece, &mut out);
        }
    }
    out
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

/// Links written by residents carry `nofollow ugc`: the portal does not vouch for them.
fn pieces(line: Vec<Inline>, ugc: bool) -> impl IntoView {
    let rel = if ugc {
        "nofollow ugc noopener"
    } else {
        "noopener"
    };
    line.into_iter()
        .map(|piece| match piece {
            Inline::Text(text) => text.into_any(),
            Inline::Bold(text) => view! { <strong>{text}</strong> }.into_any(),
            Inline::Link { text, href } => view! {
                <a href=href rel=rel>
                    {text}
                </a>
            }
            .into_any(),
        })
        .collect_view()
}

/// A body as elements. `ugc` marks text written by the public rather than by staff.
#[component]
pub fn Markup(text: String, #[prop(optional)] ugc: bool) -> impl IntoView {
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
                                    {pieces(line, ugc)}
                                    {(i + 1 < count).then(|| view! { <br /> })}
                                }
                            })
                            .collect_view()}
                    </p>
                }
                .into_any()
            }
            Block::List(items) => view! {
                <ul>
                    {items
                        .into_iter()
                        .map(|item| view! { <li>{pieces(item, ugc)}</li> })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(text: &str, href: &str) -> Inline {
        Inline::Link {
            text: text.into(),
            href: href.into(),
        }
    }

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

    #[test]
    fn web_links_become_links_and_nothing_else_does() {
        assert_eq!(
            inline("详见[反诈中心](https://example.cn/a?b=1)。或 http://x.cn/p. 谢谢"),
            vec![
                Inline::Text("详见".into()),
                link("反诈中心", "https://example.cn/a?b=1"),
                Inline::Text("。或 ".into()),
                link("http://x.cn/p", "http://x.cn/p"),
                Inline::Text(". 谢谢".into()),
            ]
        );
        for hostile in [
            "[点我](javascript:alert(1))",
            "[点我](data:text/html,<script>alert(1)</script>)",
            "[点我](ftp://x.cn/a)",
            "javascript:alert(1)",
            "https://",
        ] {
            assert!(
                inline(hostile)
                    .iter()
                    .all(|piece| !matches!(piece, Inline::Link { .. })),
                "{hostile} is no link"
            );
        }
        // An address ends where a quote or an angle bracket would break out of it.
        assert_eq!(
            inline("https://x.cn/\"onmouseover=alert(1)"),
            vec![
                link("https://x.cn/", "https://x.cn/"),
                Inline::Text("\"onmouseover=alert(1)".into()),
            ]
        );
    }
}
