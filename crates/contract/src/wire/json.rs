//! A small JSON reader and writer: enough for the contract's shapes (objects, arrays, strings,
//! integers, booleans, null), without serde's generic machinery. Numbers with a fraction or an
//! exponent are kept as text and refused wherever the contract wants an integer.

use std::fmt::Write;

/// A parsed JSON value. Object members keep their order; a repeated key keeps its last value
/// when looked up, as JSON.parse and serde_json do.
#[derive(Clone, PartialEq, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    /// An integer in the range of i128 (anything JSON writes without `.` or an exponent).
    Int(i128),
    /// Any other number, as written.
    Number(String),
    Str(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object (the last one if repeated); `None` for other values.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Why a text is not JSON.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SyntaxError {
    /// Byte offset of the problem.
    pub at: usize,
}

/// Parses one JSON document (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i == p.s.len() {
        Ok(v)
    } else {
        Err(p.err())
    }
}

/// Deeper nesting is refused rather than risking the stack.
const MAX_DEPTH: u32 = 64;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: u32,
}

impl Parser<'_> {
    fn err(&self) -> SyntaxError {
        SyntaxError { at: self.i }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Result<(), SyntaxError> {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err())
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, SyntaxError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err())
        }
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        self.ws();
        match self.s.get(self.i) {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Value::Str),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err()),
        }
    }

    fn nested(
        &mut self,
        f: fn(&mut Self) -> Result<Value, SyntaxError>,
    ) -> Result<Value, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err());
        }
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.eat(b'{')?;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b'}').is_ok() {
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            let v = self.value()?;
            members.push((key, v));
            self.ws();
            if self.eat(b',').is_ok() {
                continue;
            }
            self.eat(b'}')?;
            return Ok(Value::Object(members));
        }
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']').is_ok() {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            if self.eat(b',').is_ok() {
                continue;
            }
            self.eat(b']')?;
            return Ok(Value::Array(items));
        }
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let from = p.i;
            while let Some(b'0'..=b'9') = p.s.get(p.i) {
                p.i += 1;
            }
            p.i - from
        };
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return Err(self.err());
        }
        let mut integer = true;
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(self.err());
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            integer = false;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err());
            }
        }
        // Only ASCII digits and signs were consumed.
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err())?;
        Ok(match text.parse::<i128>() {
            Ok(n) if integer => Value::Int(n),
            _ => Value::Number(text.to_string()),
        })
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let hex = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err())?;
        let text = std::str::from_utf8(hex).map_err(|_| self.err())?;
        let n = u32::from_str_radix(text, 16).map_err(|_| self.err())?;
        self.i += 4;
        Ok(n)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The input is a &str and we stopped at an ASCII byte: a char boundary.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err())?);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let esc = *self.s.get(self.i).ok_or_else(|| self.err())?;
                    self.i += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err());
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(c).ok_or_else(|| self.err())?);
                        }
                        _ => return Err(self.err()),
                    }
                }
                _ => return Err(self.err()),
            }
        }
    }
}

/// Writes JSON text: objects member by member, values escaped.
#[derive(Default)]
pub struct Writer {
    out: String,
    /// A value was just written: the next member or item needs a comma.
    comma: bool,
}

impl Writer {
    pub fn finish(self) -> String {
        self.out
    }

    fn sep(&mut self) {
        if self.comma {
            self.out.push(',');
        }
        self.comma = false;
    }

    fn open(&mut self, c: char) -> &mut Self {
        self.sep();
        self.out.push(c);
        self
    }

    fn close(&mut self, c: char) -> &mut Self {
        self.out.push(c);
        self.comma = true;
        self
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.open('{')
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.close('}')
    }

    pub fn begin_array(&mut self) -> &mut Self {
        self.open('[')
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.close(']')
    }

    /// The key of the next member; its value follows.
    pub fn key(&mut self, key: &str) -> &mut Self {
        self.sep();
        self.quoted(key);
        self.out.push(':');
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        self.quoted(s);
        self.comma = true;
        self
    }

    fn raw(&mut self, text: std::fmt::Arguments<'_>) -> &mut Self {
        self.sep();
        let _ = self.out.write_fmt(text);
        self.comma = true;
        self
    }

    pub fn uint(&mut self, n: u64) -> &mut Self {
        self.raw(format_args!("{n}"))
    }

    pub fn int(&mut self, n: i64) -> &mut Self {
        self.raw(format_args!("{n}"))
    }

    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.raw(format_args!("{b}"))
    }

    pub fn null(&mut self) -> &mut Self {
        self.raw(format_args!("null"))
    }

    fn quoted(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                    let _ = write!(self.out, "\\u{:04x}", c as u32);
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to_serde(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(n) => serde_json::from_str(&n.to_string()).unwrap(),
            Value::Number(t) => serde_json::from_str(t).unwrap(),
            Value::Str(s) => s.clone().into(),
            Value::Array(a) => a.iter().map(to_serde).collect(),
            Value::Object(m) => {
                let mut o = serde_json::Map::new();
                for (k, v) in m {
                    o.insert(k.clone(), to_serde(v));
                }
                o.into()
            }
        }
    }

    #[test]
    fn parses_what_serde_json_writes() {
        let doc = serde_json::json!({
            "a": [1, -2, 3.5, 1e3, true, false, null],
            "s": "q\"\\/\n\u{1}é😀\u{2028}",
            "o": { "x": {}, "y": [] , "big": 18446744073709551615u64},
        });
        let text = serde_json::to_string(&doc).unwrap();
        assert_eq!(to_serde(&parse(&text).unwrap()), doc);
        assert_eq!(
            parse(r#""\ud83d\ude00 \u00e9""#).unwrap(),
            Value::Str("😀 é".into())
        );
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"\n\"",
            "nul",
            "{} x",
            "\"\\ud800\"",
            "[1 2]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep).is_err(), "nesting is bounded");
    }

    #[test]
    fn the_last_of_a_repeated_key_wins() {
        let v = parse(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(v.get("a"), Some(&Value::Int(2)));
    }

    #[test]
    fn writes_what_serde_json_reads() {
        let mut w = Writer::default();
        w.begin_object();
        w.key("s").str("a\"b\\c\n\u{1}\u{2028}é");
        w.key("n").uint(u64::MAX);
        w.key("i").int(-5);
        w.key("a").begin_array();
        w.bool(true).null().begin_object().end_object();
        w.end_array();
        w.end_object();
        let text = w.finish();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"s":"a\"b\\c\n\u{1}\u{2028}é","n":u64::MAX,"i":-5,"a":[true,null,{}]})
        );
    }

    proptest! {
        #[test]
        fn any_string_round_trips(s in ".*") {
            let mut w = Writer::default();
            w.str(&s);
            let text = w.finish();
            prop_assert_eq!(serde_json::from_str::<String>(&text).unwrap(), s.clone());
            prop_assert_eq!(parse(&text).unwrap(), Value::Str(s));
        }

        #[test]
        fn never_panics_and_agrees_with_serde_json(s in "[\\[\\]{}\",:0-9a-z. \\\\-]{0,40}") {
            let ours = parse(&s);
            let theirs = serde_json::from_str::<serde_json::Value>(&s);
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}", s);
            if let (Ok(a), Ok(b)) = (ours, theirs) {
                prop_assert_eq!(to_serde(&a), b);
            }
        }
    }
}
