//! zlib compression on all cores: the data is cut into pieces that are
//! deflated independently (each ends byte-aligned with a sync flush) and
//! concatenated under one zlib header and Adler-32 trailer. The result is
//! an ordinary zlib stream that any decoder reads.

use std::io::{self, Write};

use flate2::{Compress, Compression, FlushCompress, Status};
use rayon::prelude::*;

const ADLER_MOD: u32 = 65_521;

/// Adler-32 of `data`.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= ADLER_MOD;
        b %= ADLER_MOD;
    }
    (b << 16) | a
}

/// Adler-32 of `A ++ B` from those of `A` and `B` (`len_b` bytes).
pub fn adler32_combine(adler_a: u32, adler_b: u32, len_b: u64) -> u32 {
    let m = u64::from(ADLER_MOD);
    let rem = len_b % m;
    let a1 = u64::from(adler_a & 0xffff);
    let b1 = u64::from(adler_a >> 16);
    let a2 = u64::from(adler_b & 0xffff);
    let b2 = u64::from(adler_b >> 16);
    let a = (a1 + a2 + m - 1) % m;
    let b = (b1 + b2 + rem * a1 + m - rem) % m;
    ((b << 16) | a) as u32
}

/// Raw deflate of one piece; `last` ends the stream.
fn deflate_piece(data: &[u8], level: u32, last: bool) -> io::Result<Vec<u8>> {
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(data.len() / 4 + 1024);
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    loop {
        let consumed = c.total_in() as usize;
        if out.capacity() - out.len() < 4096 {
            out.reserve(out.capacity().max(64 * 1024));
        }
        let status = c
            .compress_vec(&data[consumed..], &mut out, flush)
            .map_err(|e| io::Error::other(e.to_string()))?;
        let done_input = c.total_in() as usize == data.len();
        let finished = if last {
            status == Status::StreamEnd
        } else {
            // The sync flush is complete once output space was left over.
            done_input && out.capacity() - out.len() >= 4096
        };
        if finished {
            return Ok(out);
        }
    }
}

/// A zlib compressor writing to `W`, compressing `batch` bytes at a time
/// in parallel pieces of `piece` bytes.
pub struct ParallelZlib<W: Write> {
    out: W,
    buf: Vec<u8>,
    level: u32,
    piece: usize,
    batch: usize,
    adler: u32,
    header_written: bool,
}

impl<W: Write> ParallelZlib<W> {
    /// A compressor with 1 MiB pieces, compressing every 8 MiB.
    pub fn new(out: W, level: u32) -> Self {
        ParallelZlib {
            out,
            buf: Vec::new(),
            level,
            piece: 1 << 20,
            batch: 8 << 20,
            adler: 1,
            header_written: false,
        }
    }

    fn compress_pending(&mut self, last: bool) -> io::Result<()> {
        if !self.header_written {
            // CMF: deflate, 32 KiB window; FLG: default level, check bits.
            self.out.write_all(&[0x78, 0x9c])?;
            self.header_written = true;
        }
        let data = std::mem::take(&mut self.buf);
        let pieces: Vec<&[u8]> = if data.is_empty() {
            vec![&[][..]]
        } else {
            data.chunks(self.piece).collect()
        };
        let n = pieces.len();
        let level = self.level;
        let results: Vec<io::Result<(Vec<u8>, u32, u64)>> = pieces
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                Ok((
                    deflate_piece(p, level, last && i + 1 == n)?,
                    adler32(p),
                    p.len() as u64,
                ))
            })
            .collect();
        for r in results {
            let (compressed, adler, len) = r?;
            self.out.write_all(&compressed)?;
            self.adler = adler32_combine(self.adler, adler, len);
        }
        Ok(())
    }

    /// Compresses what is left, writes the trailer and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.compress_pending(true)?;
        self.out.write_all(&self.adler.to_be_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ParallelZlib<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= self.batch {
            self.compress_pending(false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn roundtrip(data: &[u8], piece: usize, batch: usize) -> Vec<u8> {
        let mut z = ParallelZlib::new(Vec::new(), 6);
        z.piece = piece;
        z.batch = batch;
        for chunk in data.chunks(7777) {
            z.write_all(chunk).expect("write");
        }
        let compressed = z.finish().expect("finish");
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&compressed[..])
            .read_to_end(&mut out)
            .expect("a valid zlib stream");
        out
    }

    #[test]
    fn decodes_with_an_ordinary_decoder() {
        let data: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        assert_eq!(roundtrip(&data, 10_000, 50_000), data);
        assert_eq!(roundtrip(&data, 1 << 20, 8 << 20), data);
        assert_eq!(roundtrip(b"", 10, 10), b"");
        assert_eq!(roundtrip(b"x", 10, 10), b"x");
    }

    #[test]
    fn adler_combines() {
        let a = b"hello, ";
        let b = b"world and more";
        let whole = [&a[..], &b[..]].concat();
        assert_eq!(
            adler32_combine(adler32(a), adler32(b), b.len() as u64),
            adler32(&whole)
        );
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }
}
