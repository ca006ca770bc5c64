//! One serde pass over a response body into the fields a token or error response can
//! have, borrowing strings from the body where it can.
//!
//! Every field is read as a [`Shallow`] value that accepts any JSON type, so a wrong type
//! is not a parse failure but something the caller judges (a precise error, or leniency).
//! Only the JSON syntax can fail the pass, and then the body is classified without a
//! second parse. Nested values are skipped with [`IgnoredAny`], which serde_json does
//! without recursion; `message` objects are read with serde_json's recursion limit.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// At most this many fields of an object `message` are kept.
const MAX_MESSAGE_FIELDS: usize = 32;

/// A response body, classified.
// Lives on the stack for one call and is moved once or twice; boxing `Fields` would add
// an allocation to the hot path.
#[allow(clippy::large_enum_variant)]
pub(super) enum Body<'a> {
    /// No bytes, or only whitespace.
    Empty,
    /// Not UTF-8.
    NotUtf8,
    /// UTF-8 text that does not start like JSON (an HTML page, plain text).
    NotJson(&'a str),
    /// Starts like JSON but ends before the value does: cut off.
    Truncated,
    /// Starts like JSON but does not parse (bad syntax, trailing garbage, too deep).
    InvalidJson,
    /// JSON, but not an object.
    NotAnObject,
    /// A JSON object.
    Object(Fields<'a>),
}

/// Reads a body. Linear in its length; never panics.
pub(super) fn read(bytes: &[u8]) -> Body<'_> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(first) = bytes.iter().copied().find(|b| !is_json_whitespace(*b)) else {
        return Body::Empty;
    };
    // serde_json's slice reader does not check UTF-8 inside strings it skips; checking
    // the whole body here makes "not UTF-8" mean the same everywhere, and lets the
    // string reader skip its own checks.
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Body::NotUtf8;
    };
    if !matches!(
        first,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    ) {
        return Body::NotJson(text);
    }
    match serde_json::from_str::<Top<'_>>(text) {
        Ok(Top::Object(fields)) => Body::Object(fields),
        Ok(Top::Other) => Body::NotAnObject,
        Err(e) if e.is_eof() => Body::Truncated,
        Err(_) => Body::InvalidJson,
    }
}

fn is_json_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The fields of a token response (RFC 6749 §5.1), an RFC 6749 §5.2 error and the
/// vendor envelope. `None` when absent; `Some(Shallow::Null)` when `null`.
#[derive(Default)]
pub(super) struct Fields<'a> {
    pub(super) access_token: Option<Shallow<'a>>,
    /// Whether `access_token` appeared more than once: then more than one value in the
    /// body may be a token, and no server text is kept (see `failure::Secret`).
    pub(super) repeated_access_token: bool,
    pub(super) token_type: Option<Shallow<'a>>,
    pub(super) expires_in: Option<Shallow<'a>>,
    pub(super) scope: Option<Shallow<'a>>,
    pub(super) error: Option<Shallow<'a>>,
    pub(super) error_description: Option<Shallow<'a>>,
    pub(super) error_uri: Option<Shallow<'a>>,
    pub(super) status: Option<Shallow<'a>>,
    pub(super) message: Option<Message<'a>>,
}

impl Fields<'_> {
    /// Whether `error` is a string: the body is an error answer, whatever the status.
    pub(super) fn has_error(&self) -> bool {
        matches!(self.error, Some(Shallow::Str(_)))
    }

    /// The `access_token` string, when there is one: never to be repeated in an error.
    pub(super) fn access_token_str(&self) -> Option<&str> {
        match &self.access_token {
            Some(Shallow::Str(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

/// A JSON value with only its scalar content kept; arrays and objects are skipped.
pub(super) enum Shallow<'a> {
    Null,
    Bool,
    Number(Number),
    Str(Cow<'a, str>),
    Array,
    Object,
}

impl<'a> Shallow<'a> {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Shallow::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A JSON number as serde_json reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

/// The vendor envelope's `message`.
pub(super) enum Message<'a> {
    Text(Cow<'a, str>),
    /// The first fields of an object, as parsed (unsanitized).
    Object(Vec<(String, serde_json::Value)>),
    /// Any other JSON type.
    Other,
}

/// The top-level value.
#[allow(clippy::large_enum_variant)] // as for `Body`
enum Top<'a> {
    Object(Fields<'a>),
    Other,
}

/// The field names we look at.
enum Key {
    AccessToken,
    TokenType,
    ExpiresIn,
    Scope,
    Error,
    ErrorDescription,
    ErrorUri,
    Status,
    Message,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "access_token" => Key::AccessToken,
                    "token_type" => Key::TokenType,
                    "expires_in" => Key::ExpiresIn,
                    "scope" => Key::Scope,
                    "error" => Key::Error,
                    "error_description" => Key::ErrorDescription,
                    "error_uri" => Key::ErrorUri,
                    "status" => Key::Status,
                    "message" => Key::Message,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Top<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopVisitor;
        impl<'de> Visitor<'de> for TopVisitor {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any json value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
                let mut fields = Fields::default();
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::AccessToken => {
                            fields.repeated_access_token |= fields.access_token.is_some();
                            fields.access_token = Some(map.next_value()?);
                        }
                        Key::TokenType => fields.token_type = Some(map.next_value()?),
                        Key::ExpiresIn => fields.expires_in = Some(map.next_value()?),
                        Key::Scope => fields.scope = Some(map.next_value()?),
                        Key::Error => fields.error = Some(map.next_value()?),
                        Key::ErrorDescription => fields.error_description = Some(map.next_value()?),
                        Key::ErrorUri => fields.error_uri = Some(map.next_value()?),
                        Key::Status => fields.status = Some(map.next_value()?),
                        Key::Message => fields.message = Some(map.next_value()?),
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Top::Object(fields))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top<'de>, A::Error> {
                drain_seq(seq)?;
                Ok(Top::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Top<'de>, E> {
                Ok(Top::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Top<'de>, E> {
                Ok(Top::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Top<'de>, E> {
                Ok(Top::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Top<'de>, E> {
                Ok(Top::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Top<'de>, E> {
                Ok(Top::Other)
            }
            fn visit_unit<E>(self) -> Result<Top<'de>, E> {
                Ok(Top::Other)
            }
        }
        deserializer.deserialize_any(TopVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Shallow<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ShallowVisitor;
        impl<'de> Visitor<'de> for ShallowVisitor {
            type Value = Shallow<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any json value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Str(Cow::Owned(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Number(Number::Unsigned(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Number(Number::Signed(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Number(Number::Float(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Bool)
            }
            fn visit_unit<E>(self) -> Result<Shallow<'de>, E> {
                Ok(Shallow::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Shallow<'de>, A::Error> {
                drain_seq(seq)?;
                Ok(Shallow::Array)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Shallow<'de>, A::Error> {
                drain_map(map)?;
                Ok(Shallow::Object)
            }
        }
        deserializer.deserialize_any(ShallowVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Message<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MessageVisitor;
        impl<'de> Visitor<'de> for MessageVisitor {
            type Value = Message<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any json value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Message<'de>, E> {
                Ok(Message::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Message<'de>, E> {
                Ok(Message::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Message<'de>, E> {
                Ok(Message::Text(Cow::Owned(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.len() < MAX_MESSAGE_FIELDS {
                        out.push((key, map.next_value::<serde_json::Value>()?));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Message::Object(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Message<'de>, A::Error> {
                drain_seq(seq)?;
                Ok(Message::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Message<'de>, E> {
                Ok(Message::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Message<'de>, E> {
                Ok(Message::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Message<'de>, E> {
                Ok(Message::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Message<'de>, E> {
                Ok(Message::Other)
            }
            fn visit_unit<E>(self) -> Result<Message<'de>, E> {
                Ok(Message::Other)
            }
        }
        deserializer.deserialize_any(MessageVisitor)
    }
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}
