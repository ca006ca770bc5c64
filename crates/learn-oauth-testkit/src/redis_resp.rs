//! Just enough RESP for the harness's own commands to a test's `redis-server`.

use std::io::Read;

/// `args` as one RESP command (an array of bulk strings).
pub(crate) fn request(args: &[&[u8]]) -> Vec<u8> {
    let mut request = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        request.extend_from_slice(arg);
        request.extend_from_slice(b"\r\n");
    }
    request
}

/// One reply, raw: read until the bytes end a RESP value (good enough for the simple
/// replies tests ask for: status, integer, one bulk string, an array of them).
pub(crate) fn reply(stream: &mut dyn Read) -> Option<Vec<u8>> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if complete(&reply) {
            break;
        }
    }
    Some(reply)
}

/// Whether `reply` holds one whole RESP value of the simple kinds.
fn complete(reply: &[u8]) -> bool {
    fn value(bytes: &[u8]) -> Option<usize> {
        let end = bytes.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&bytes[1..end]).ok()?;
        match bytes.first()? {
            b'+' | b'-' | b':' => Some(end + 2),
            b'$' => {
                let len: i64 = line.parse().ok()?;
                if len < 0 {
                    return Some(end + 2);
                }
                let total = end + 2 + usize::try_from(len).ok()? + 2;
                (bytes.len() >= total).then_some(total)
            }
            b'*' => {
                let n: i64 = line.parse().ok()?;
                let mut at = end + 2;
                for _ in 0..n.max(0) {
                    at += value(&bytes[at..])?;
                }
                Some(at)
            }
            _ => None,
        }
    }
    value(reply).is_some()
}
