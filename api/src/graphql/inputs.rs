//! Every input of every request bounded and readable, checked in one place before the request is
//! validated: arguments written in the document, their variables and the variables' defaults.
//!
//! - A string holds at most [`MAX_STRING_CHARS`] characters (the write rules of each kind allow
//!   less where they say so) and no NUL character (PostgreSQL cannot store one).
//! - A list holds at most [`MAX_LIST_ITEMS`] items (an `IN (...)` of more would exceed what the
//!   databases bind).
//! - A string in the document holds no UTF-16 surrogate escape (`\uD800`–`\uDFFF`): a lone one
//!   is no text, and the parser cannot read a pair either. In JSON variables a pair is read as
//!   its character; a lone one makes the body unreadable ([`holds_lone_surrogate`] says why).
//! - An input object written in the document names each field once (`{ a: 1, a: 2 }` is
//!   refused; the parser would keep the last silently).
//!
//! A refusal is a request error with `BAD_USER_INPUT`, naming the input and the limit.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    Directive, ExecutableDocument, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::{Name, Pos, Positioned, ServerError, ServerResult, Value, Variables};
use std::sync::Arc;

/// The most characters of any string input.
pub const MAX_STRING_CHARS: usize = 10_000;
/// The most items of any list input.
pub const MAX_LIST_ITEMS: usize = 1_000;

/// The schema extension that checks every request's inputs (see the module's documentation).
pub struct InputBounds;

impl ExtensionFactory for InputBounds {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(InputBounds)
    }
}

#[async_trait::async_trait]
impl Extension for InputBounds {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        check_source(query).map_err(Refused::into_error)?;
        let document = next.run(ctx, query, variables).await?;
        check_document(&document, variables).map_err(Refused::into_error)?;
        Ok(document)
    }
}

/// Why an input is refused, and where in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
    pub pos: Option<Pos>,
}

impl Refused {
    fn into_error(self) -> ServerError {
        let mut error = ServerError::new(self.message, self.pos);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "BAD_USER_INPUT");
        error
    }
}

/// Checks a document's text before it is parsed: no surrogate escapes in its strings, and no
/// input object naming a field twice.
pub fn check_source(source: &str) -> Result<(), Refused> {
    let tokens = lex(source)?;
    // What each open bracket is: an input object (with the fields named so far), a list, or
    // something else (a selection set, arguments, a type).
    enum Open<'a> {
        Object(Vec<&'a str>),
        List,
        Other,
    }
    let mut open: Vec<Open> = Vec::new();
    for (i, &(at, token)) in tokens.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| tokens[p].1);
        let next = tokens.get(i + 1).map(|t| t.1);
        match token {
            // A brace after `:` or `=` (an argument, field or default value), or in a list
            // value, opens an object; any other brace opens a selection set.
            Token::Punct(b'{') => open.push(
                if matches!(previous, Some(Token::Punct(b':' | b'=')))
                    || matches!(open.last(), Some(Open::List))
                {
                    Open::Object(Vec::new())
                } else {
                    Open::Other
                },
            ),
            Token::Punct(b'[') => open.push(Open::List),
            Token::Punct(b'(') => open.push(Open::Other),
            Token::Punct(b'}' | b']' | b')') => {
                open.pop();
            }
            // In an object, a name before `:` names a field (a value is never followed by `:`).
            Token::Name(name) if next == Some(Token::Punct(b':')) => {
                if let Some(Open::Object(fields)) = open.last_mut() {
                    if fields.contains(&name) {
                        return Err(Refused {
                            message: format!(
                                "the input object names the field `{name}` twice; name each field once"
                            ),
                            pos: Some(position(source, at)),
                        });
                    }
                    fields.push(name);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A token of a GraphQL document, as far as [`check_source`] needs to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Punct(u8),
    Name(&'a str),
    /// A string, number or `...`.
    Other,
}

/// The tokens of `source` with their byte offsets; refuses a surrogate escape in a string.
fn lex(source: &str) -> Result<Vec<(usize, Token<'_>)>, Refused> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            // A block string: no escapes but `\"""`.
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                tokens.push((start, Token::Other));
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    if bytes[i] == b'\\' {
                        if let Some(unit) = escaped_unit(bytes, i).filter(|u| is_surrogate(*u)) {
                            return Err(Refused {
                                message: format!(
                                    "a string holds the escape \\u{unit:04X}, half of a UTF-16 \
                                     surrogate pair: write the character itself, or send the \
                                     text in variables"
                                ),
                                pos: Some(position(source, i)),
                            });
                        }
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                tokens.push((start, Token::Other));
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                tokens.push((start, Token::Name(&source[start..i])));
            }
            b if b.is_ascii_digit() || b == b'-' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
                tokens.push((start, Token::Other));
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                tokens.push((start, Token::Other));
            }
            b if b.is_ascii() => {
                i += 1;
                tokens.push((start, Token::Punct(b)));
            }
            // Other text outside strings (a byte-order mark, ...) is the parser's to judge.
            _ => i += 1,
        }
    }
    Ok(tokens)
}

/// The UTF-16 code unit of the escape `\uXXXX` at `bytes[at]`, if there is one.
fn escaped_unit(bytes: &[u8], at: usize) -> Option<u16> {
    let hex = bytes.get(at + 2..at + 6)?;
    if bytes.get(at + 1) != Some(&b'u') {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

fn is_surrogate(unit: u16) -> bool {
    (0xD800..=0xDFFF).contains(&unit)
}

/// Whether a JSON text holds a `\u` escape of half a surrogate pair without the other half:
/// the reason such a body cannot be read as text.
pub fn holds_lone_surrogate(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] != b'\\' {
            i += 1;
            continue;
        }
        match escaped_unit(json, i) {
            Some(0xD800..=0xDBFF) => {
                if !escaped_unit(json, i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) {
                    return true;
                }
                i += 12;
            }
            Some(0xDC00..=0xDFFF) => return true,
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    false
}

/// The line and column (1-based, in characters) of byte `at` of `source`.
fn position(source: &str, at: usize) -> Pos {
    let before = &source[..at.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |text| text.chars().count())
        + 1;
    Pos { line, column }
}

/// Checks the values of a parsed document (its arguments and the defaults of its variables) and
/// of the request's variables against the bounds.
pub fn check_document(document: &ExecutableDocument, variables: &Variables) -> Result<(), Refused> {
    for (name, value) in variables.iter() {
        check_value(value, &mut format!("variable `${name}"), None)?;
    }
    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        for definition in &operation.variable_definitions {
            check_definition(definition)?;
        }
        check_directives(&operation.directives)?;
        check_selection(&operation.selection_set.node)?;
    }
    for fragment in document.fragments.values() {
        check_directives(&fragment.node.directives)?;
        check_selection(&fragment.node.selection_set.node)?;
    }
    Ok(())
}

fn check_definition(definition: &Positioned<VariableDefinition>) -> Result<(), Refused> {
    let definition = &definition.node;
    if let Some(default) = &definition.default_value {
        let mut path = format!("the default of `${}", definition.name.node);
        check_value(&default.node, &mut path, Some(default.pos))?;
    }
    check_directives(&definition.directives)
}

fn check_selection(set: &SelectionSet) -> Result<(), Refused> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                check_arguments(&field.name.node, &field.arguments, |v| {
                    v.clone().into_const_with(null_variable).ok()
                })?;
                check_directives(&field.directives)?;
                check_selection(&field.selection_set.node)?;
            }
            Selection::InlineFragment(fragment) => {
                check_directives(&fragment.node.directives)?;
                check_selection(&fragment.node.selection_set.node)?;
            }
            Selection::FragmentSpread(spread) => check_directives(&spread.node.directives)?,
        }
    }
    Ok(())
}

fn check_directives(directives: &[Positioned<Directive>]) -> Result<(), Refused> {
    for directive in directives {
        let owner = format!("@{}", directive.node.name.node);
        check_arguments(&owner, &directive.node.arguments, |v| {
            v.clone().into_const_with(null_variable).ok()
        })?;
    }
    Ok(())
}

/// Checks the arguments of `owner` (a field or a directive), each written as a value of the
/// document that `literal` reads.
fn check_arguments<V>(
    owner: &str,
    arguments: &[(Positioned<Name>, Positioned<V>)],
    literal: impl Fn(&V) -> Option<Value>,
) -> Result<(), Refused> {
    for (name, value) in arguments {
        let mut path = format!("`{owner}` argument `{}", name.node);
        check_value(
            &literal(&value.node).unwrap_or(Value::Null),
            &mut path,
            Some(value.pos),
        )?;
    }
    Ok(())
}

/// Variables stand in as null in a literal: their values are checked as variables.
fn null_variable(_: Name) -> Result<Value, std::convert::Infallible> {
    Ok(Value::Null)
}

/// Checks `value`, known to the client as `path` (ending in the input's name after a backtick;
/// extended with fields and indices while walking), at `pos` in the document if it is written
/// there.
fn check_value(value: &Value, path: &mut String, pos: Option<Pos>) -> Result<(), Refused> {
    let refused = |path: &str, what: String| Refused {
        message: format!("{path}` {what}"),
        pos,
    };
    match value {
        Value::String(text) => {
            if text.contains('\0') {
                return Err(refused(path, "contains a NUL character".to_owned()));
            }
            let chars = text.chars().count();
            if chars > MAX_STRING_CHARS {
                return Err(refused(
                    path,
                    format!("has {chars} characters; at most {MAX_STRING_CHARS} are accepted"),
                ));
            }
        }
        Value::List(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(refused(
                    path,
                    format!(
                        "has {} items; at most {MAX_LIST_ITEMS} are accepted",
                        items.len()
                    ),
                ));
            }
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check_value(item, path, pos)?;
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                check_value(field, path, pos)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Result<(), String> {
        check_source(text).map_err(|refused| refused.message)
    }

    fn document(text: &str, variables: serde_json::Value) -> Result<(), String> {
        let document = async_graphql::parser::parse_query(text).expect("parses");
        check_document(&document, &Variables::from_json(variables)).map_err(|r| r.message)
    }

    #[test]
    fn an_input_object_names_each_field_once() {
        assert!(source("{ a(x: { b: 1, c: { b: 2 } }) { b b } }").is_ok());
        assert!(source("query($v: I = { b: 1 }) { a(x: [{ b: 1 }, { b: 2 }]) }").is_ok());
        assert!(
            source("{ b: a(b: 1) { b: c } }").is_ok(),
            "aliases are not fields"
        );
        for twice in [
            "{ a(x: { b: 1, b: 2 }) }",
            "{ a(x: [{ b: 1 }, { c: 1, c: 2 }]) }",
            "{ a(x: { d: { b: 1, b: 2 } }) }",
            "query($v: I = { b: 1, b: 2 }) { a }",
        ] {
            let refused = source(twice).expect_err(twice);
            assert!(refused.contains("twice"), "{twice}: {refused}");
        }
    }

    #[test]
    fn surrogate_escapes_in_document_strings_are_refused() {
        assert!(
            source(r#"{ a(x: "\u00e9 \\uD800") }"#).is_ok(),
            "an escaped backslash"
        );
        assert!(source("{ a } # \"\\uD800\"").is_ok(), "a comment");
        for bad in [
            r#"{ a(x: "\uD800") }"#,
            r#"{ a(x: "\uD83D\uDE00") }"#,
            r#"{ a(x: "\udfff") }"#,
        ] {
            assert!(source(bad).expect_err(bad).contains("surrogate"), "{bad}");
        }
    }

    #[test]
    fn lone_surrogates_in_json_are_found() {
        assert!(!holds_lone_surrogate(br#"{"a": "\ud83d\ude00 \u00e9"}"#));
        assert!(!holds_lone_surrogate(br#"{"a": "\\ud800"}"#));
        assert!(holds_lone_surrogate(br#"{"a": "\ud800"}"#));
        assert!(holds_lone_surrogate(br#"{"a": "\ud800\u0041"}"#));
        assert!(holds_lone_surrogate(br#"{"a": "\udc00"}"#));
        assert!(serde_json::from_slice::<serde_json::Value>(br#""\ud800""#).is_err());
    }

    #[test]
    fn strings_and_lists_are_bounded_wherever_they_are() {
        let long = "x".repeat(MAX_STRING_CHARS + 1);
        let many: Vec<u32> = (0..=MAX_LIST_ITEMS as u32).collect();
        assert!(document("{ a(x: \"fine\") }", serde_json::json!({})).is_ok());
        assert_eq!(
            document(
                "{ a(x: { y: [\"ok\", \"a\\u0000b\"] }) }",
                serde_json::json!({})
            ),
            Err("`a` argument `x.y[1]` contains a NUL character".to_owned())
        );
        assert_eq!(
            document(
                "query($v: [String]) { a(x: $v) }",
                serde_json::json!({ "v": ["a", long] })
            ),
            Err(format!(
                "variable `$v[1]` has {} characters; at most {MAX_STRING_CHARS} are accepted",
                MAX_STRING_CHARS + 1
            ))
        );
        assert_eq!(
            document("{ a }", serde_json::json!({ "v": { "codes": many } })),
            Err(format!(
                "variable `$v.codes` has {} items; at most {MAX_LIST_ITEMS} are accepted",
                MAX_LIST_ITEMS + 1
            ))
        );
        let refused = document(
            "query($v: String = \"\\u0000\") { a }",
            serde_json::json!({}),
        );
        assert_eq!(
            refused,
            Err("the default of `$v` contains a NUL character".to_owned())
        );
        let refused = document("{ a @skip(if: \"\\u0000\") }", serde_json::json!({}));
        assert!(refused.is_err(), "directive arguments too");
        let refused = document(
            "{ ...F } fragment F on Q { a(x: \"\\u0000\") }",
            serde_json::json!({}),
        );
        assert!(refused.is_err(), "fragments too");
    }
}
