//! Double formatting and parsing.
//!
//! Finite doubles are written the way C's `printf("%.17g")` (and Python's
//! `'{0:.17g}'.format`) writes them: 17 significant digits, which is always
//! enough to read the same double back, with trailing zeros removed, and
//! exponent notation (`1e+100`, `1.5e-07`) when the decimal exponent is below
//! -4 or at least 17. Non-finite values become `NaN`, `Infinity`,
//! `-Infinity`; the caller quotes them.

use std::fmt::Write as _;

/// Significant digits written for a double.
const PRECISION: i32 = 17;

/// Appends the `%.17g` form of a finite `d` to `out`. Non-finite values get
/// their JSON-protocol names instead (without quotes).
pub(crate) fn write_double(d: f64, out: &mut Vec<u8>) {
    if d.is_nan() {
        out.extend_from_slice(b"NaN");
        return;
    }
    if d.is_infinite() {
        out.extend_from_slice(if d > 0.0 { b"Infinity" } else { b"-Infinity" });
        return;
    }
    if d == 0.0 {
        out.extend_from_slice(if d.is_sign_negative() { b"-0" } else { b"0" });
        return;
    }

    // Rust's `{:.16e}` rounds the exact binary value correctly to 17
    // significant digits, like printf does: "d.dddddddddddddddde<exp>".
    let mut sci = String::with_capacity(32);
    // Writing to a String cannot fail.
    let _ = write!(sci, "{:.16e}", d.abs());
    let (mantissa, exponent) = match sci.split_once('e') {
        Some(parts) => parts,
        None => {
            // Unreachable in practice; fall back to the shortest round trip form.
            out.extend_from_slice(format!("{d:e}").as_bytes());
            return;
        }
    };
    let exp: i32 = exponent.parse().unwrap_or(0);
    // The 17 significant digits, without the point.
    let mut digits = [b'0'; PRECISION as usize];
    let mut n = 0usize;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        if let Some(slot) = digits.get_mut(n) {
            *slot = b;
            n += 1;
        }
    }
    // Drop trailing zeros (%g does), keeping at least one digit.
    let mut sig = n.max(1);
    while sig > 1 && digits.get(sig - 1) == Some(&b'0') {
        sig -= 1;
    }
    let digits = digits.get(..sig).unwrap_or(b"0");

    if d.is_sign_negative() {
        out.push(b'-');
    }
    if (-4..PRECISION).contains(&exp) {
        if exp >= 0 {
            // The integer part has exp + 1 digits, padded with zeros when
            // trailing zeros were dropped.
            let int_len = (exp + 1) as usize;
            for i in 0..int_len {
                out.push(digits.get(i).copied().unwrap_or(b'0'));
            }
            if let Some(frac) = digits.get(int_len..) {
                if !frac.is_empty() {
                    out.push(b'.');
                    out.extend_from_slice(frac);
                }
            }
        } else {
            out.extend_from_slice(b"0.");
            for _ in 0..(-exp - 1) {
                out.push(b'0');
            }
            out.extend_from_slice(digits);
        }
    } else {
        let (first, rest) = digits.split_first().unwrap_or((&b'0', &[]));
        out.push(*first);
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push(b'0');
        }
        let _ = write_u32(abs, out);
    }
}

fn write_u32(v: u32, out: &mut Vec<u8>) -> usize {
    let mut tmp = [0u8; 10];
    let mut i = tmp.len();
    let mut v = v;
    loop {
        i -= 1;
        if let Some(slot) = tmp.get_mut(i) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    let s = tmp.get(i..).unwrap_or(&[]);
    out.extend_from_slice(s);
    s.len()
}

/// Parses the text of a double: a JSON number, or one of the spellings of the
/// non-finite values that Thrift implementations write (`NaN`, `Infinity`,
/// `-Infinity`, and Python's `nan`, `inf`, `-inf`), case-insensitively.
pub(crate) fn parse_double(text: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(text).ok()?;
    // Rust's parser accepts exactly the decimal forms plus inf/infinity/nan in
    // any case with an optional sign, which is the set we want. It would also
    // accept an empty exponent-less "." form like "1." or ".5", as Python does.
    if s.is_empty() || s.len() > 1100 {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g17(d: f64) -> String {
        let mut v = Vec::new();
        write_double(d, &mut v);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn matches_printf_g17() {
        // Expected strings are what Python's '{0:.17g}'.format(x) prints.
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (-1.0, "-1"),
            (0.1, "0.10000000000000001"),
            (0.5, "0.5"),
            (1e100, "1e+100"),
            (1.5e-7, "1.4999999999999999e-07"),
            (123456.789, "123456.789"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "4.9406564584124654e-324"),
            (-0.0, "-0"),
            (0.0, "0"),
            (3.0e20, "3e+20"),
            (2.5, "2.5"),
            (100.0, "100"),
        ];
        for &(d, want) in cases {
            assert_eq!(g17(d), want, "formatting {d:e}");
        }
    }

    #[test]
    fn parse_variants() {
        assert_eq!(parse_double(b"1e+100"), Some(1e100));
        assert!(parse_double(b"NaN").is_some_and(f64::is_nan));
        assert!(parse_double(b"nan").is_some_and(f64::is_nan));
        assert_eq!(parse_double(b"Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_double(b"-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double(b""), None);
        assert_eq!(parse_double(b"1x"), None);
        assert_eq!(parse_double(b"0x10"), None);
    }
}
