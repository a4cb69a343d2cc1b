//! Word-at-a-time byte searches used on string bodies, where nearly all of the
//! time goes for large payloads (a base64 zip of tens of megabytes is one JSON
//! string).
//!
//! The tests below use the classic "has a zero byte" bit trick on 8-byte little
//! endian words: for `x = word ^ splat(c)`, the expression
//! `(x - 0x01..01) & !x & 0x80..80` sets bit 7 of every byte position that
//! follows a borrow chain starting at a zero byte. Bytes above the first zero
//! byte may be flagged spuriously, but the lowest flagged byte is always a real
//! match, and that is the only one we use.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn splat(b: u8) -> u64 {
    ONES.wrapping_mul(u64::from(b))
}

/// Bit 7 set in (at least the lowest) byte of `w` equal to zero.
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// Bit 7 set in (at least the lowest) byte of `w` that is below `n` (`n <= 128`).
#[inline(always)]
fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(splat(n)) & !w & HIGHS
}

/// Index of the first `"` or `\` in `hay`.
#[inline]
pub(crate) fn find_quote_or_backslash(hay: &[u8]) -> Option<usize> {
    let quote = splat(b'"');
    let backslash = splat(b'\\');
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0usize;
    for chunk in chunks.by_ref() {
        if let Some(bytes) = chunk.first_chunk::<8>() {
            let w = u64::from_le_bytes(*bytes);
            let hits = zero_bytes(w ^ quote) | zero_bytes(w ^ backslash);
            if hits != 0 {
                return Some(base + (hits.trailing_zeros() / 8) as usize);
            }
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map(|i| base + i)
}

/// Index of the first byte of `hay` that must be escaped inside a JSON
/// string: `"`, `\` or a control character below 0x20.
#[inline]
pub(crate) fn find_needs_escape(hay: &[u8]) -> Option<usize> {
    let quote = splat(b'"');
    let backslash = splat(b'\\');
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0usize;
    for chunk in chunks.by_ref() {
        if let Some(bytes) = chunk.first_chunk::<8>() {
            let w = u64::from_le_bytes(*bytes);
            let hits = zero_bytes(w ^ quote) | zero_bytes(w ^ backslash) | bytes_below(w, 0x20);
            if hits != 0 {
                return Some(base + (hits.trailing_zeros() / 8) as usize);
            }
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_qb(h: &[u8]) -> Option<usize> {
        h.iter().position(|&b| b == b'"' || b == b'\\')
    }

    fn naive_esc(h: &[u8]) -> Option<usize> {
        h.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)
    }

    #[test]
    fn every_position_and_byte() {
        let specials: [u8; 8] = [b'"', b'\\', 0, 0x1f, 0x20, 0x7f, 0x80, 0xff];
        for len in 0..40usize {
            for pos in 0..len {
                for &s in &specials {
                    for &fill in &[b'a', 0x80u8, 0xffu8, b'!', b']'] {
                        let mut h = vec![fill; len];
                        if let Some(slot) = h.get_mut(pos) {
                            *slot = s;
                        }
                        assert_eq!(find_quote_or_backslash(&h), naive_qb(&h));
                        assert_eq!(find_needs_escape(&h), naive_esc(&h));
                    }
                }
            }
        }
    }

    #[test]
    fn all_byte_pairs_in_a_word() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let h = [b'x', a, b'y', b, b'z', a, b, b'q', a];
                assert_eq!(find_quote_or_backslash(&h), naive_qb(&h));
                assert_eq!(find_needs_escape(&h), naive_esc(&h));
            }
        }
    }
}
