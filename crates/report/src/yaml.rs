//! A bounded YAML loader: builds a small tree from `yaml-rust2` parser
//! events with limits on nesting and size, so hostile input cannot exhaust
//! the stack or memory.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;
use yaml_rust2::Yaml;

/// Deepest nesting accepted.
const MAX_DEPTH: usize = 64;
/// Most nodes accepted (aliases count every time they are used).
const MAX_NODES: usize = 1_000_000;

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (as written).
    Float(String),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping in document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under a string key (the last one when repeated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| matches!(k, Node::Str(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short, single-line rendering for messages.
    pub fn describe(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Float(f) => f.clone(),
            Node::Str(s) => s.clone(),
            Node::Seq(items) => {
                let inner: Vec<String> = items.iter().map(Node::describe).collect();
                format!("[{}]", inner.join(", "))
            }
            Node::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.describe(), v.describe()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
        }
    }
}

fn scalar(value: String, style: TScalarStyle, tagged_str: bool) -> Node {
    if tagged_str || style != TScalarStyle::Plain {
        return Node::Str(value);
    }
    match Yaml::from_str(&value) {
        Yaml::Null => Node::Null,
        Yaml::Boolean(b) => Node::Bool(b),
        Yaml::Integer(i) => Node::Int(i),
        Yaml::Real(r) => Node::Float(r),
        _ => Node::Str(value),
    }
}

enum Open {
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, Option<Node>, usize),
}

/// Loads a single-document YAML text; `Ok(None)` for an empty stream.
pub fn load(text: &str) -> Result<Option<Node>, String> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut documents: Vec<Node> = Vec::new();
    let mut nodes = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| e.to_string())?;
        let complete: Option<(Node, usize)> = match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => None,
            Event::Scalar(value, style, anchor, tag) => {
                let tagged_str = tag.is_some_and(|t| t.suffix == "str");
                Some((scalar(value, style, tagged_str), anchor))
            }
            Event::Alias(id) => {
                let node = anchors
                    .get(&id)
                    .ok_or_else(|| format!("unknown alias at line {}", mark.line()))?;
                nodes = nodes.saturating_add(count(node));
                if nodes > MAX_NODES {
                    return Err("document too large".into());
                }
                Some((node.clone(), 0))
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Seq(Vec::new(), anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Open::Map(Vec::new(), None, anchor));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(items, anchor)) => Some((Node::Seq(items), anchor)),
                Some(Open::Map(entries, _, anchor)) => Some((Node::Map(entries), anchor)),
                None => return Err("unbalanced collection".into()),
            },
        };
        if stack.len() > MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} levels"));
        }
        let Some((node, anchor)) = complete else {
            continue;
        };
        nodes = nodes.saturating_add(1);
        if nodes > MAX_NODES {
            return Err("document too large".into());
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => documents.push(node),
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, pending, _)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    if documents.len() > 1 {
        return Err("expected a single document in the stream".into());
    }
    Ok(documents.pop())
}

fn count(node: &Node) -> usize {
    match node {
        Node::Seq(items) => 1 + items.iter().map(count).sum::<usize>(),
        Node::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count(k) + count(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_documents() {
        let doc = load("$version: 1\nrules:\n  - filters: {filepath: '*.c'}\n    actions:\n      review_status: intentional\n");
        let Ok(Some(root)) = doc else {
            panic!("no document");
        };
        assert_eq!(root.get("$version"), Some(&Node::Int(1)));
        assert!(matches!(root.get("rules"), Some(Node::Seq(r)) if r.len() == 1));
        assert_eq!(load(""), Ok(None));
        assert!(load("a: 1\n---\nb: 2\n").is_err());
        assert!(load(&"- ".repeat(10_000)).is_err());
        assert!(load("a: [1, 2").is_err());
        assert_eq!(
            load("a: '1'")
                .ok()
                .flatten()
                .and_then(|n| n.get("a").cloned()),
            Some(Node::Str("1".into()))
        );
    }
}
