//! A ZIP writer for forward-only outputs (a compressor): entries are stored
//! uncompressed, as CodeChecker's client stores them (the whole archive is
//! compressed afterwards). Entries whose size is known up front get a
//! plain local header; streamed entries use a data descriptor. ZIP64
//! records are added when sizes, offsets or the entry count need them.

use std::collections::HashSet;
use std::io::{self, Write};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const FLAG_DESCRIPTOR: u16 = 1 << 3;
const FLAG_UTF8: u16 = 1 << 11;
const MAX32: u64 = 0xFFFF_FFFF;

struct Entry {
    name: String,
    flags: u16,
    crc: u32,
    size: u64,
    offset: u64,
}

/// A [`Write`] that counts the bytes passing through.
pub struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W> Counting<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Counting { inner, count: 0 }
    }

    /// Bytes written so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// MS-DOS date and time of "now" (local time), as ZIP headers carry them.
fn dos_now() -> (u16, u16) {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    let year = now.year().clamp(1980, 2107) as u16;
    let date = ((year - 1980) << 9) | ((now.month() as u16) << 5) | now.day() as u16;
    let time =
        ((now.hour() as u16) << 11) | ((now.minute() as u16) << 5) | (now.second() as u16 / 2);
    (time, date)
}

/// Writes a ZIP archive of stored entries to `W`.
pub struct ZipStream<W: Write> {
    out: Counting<W>,
    entries: Vec<Entry>,
    names: HashSet<String>,
    time: u16,
    date: u16,
}

impl<W: Write> ZipStream<W> {
    /// Starts an archive.
    pub fn new(out: W) -> Self {
        let (time, date) = dos_now();
        ZipStream {
            out: Counting::new(out),
            entries: Vec::new(),
            names: HashSet::new(),
            time,
            date,
        }
    }

    /// Whether an entry of this name was written.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Archive bytes written so far.
    pub fn written(&self) -> u64 {
        self.out.count()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn flags_for(name: &str) -> u16 {
        if name.is_ascii() {
            0
        } else {
            FLAG_UTF8
        }
    }

    fn local_header(
        &mut self,
        name: &str,
        flags: u16,
        crc: u32,
        size: u64,
        zip64: bool,
    ) -> io::Result<()> {
        let mut h = Vec::with_capacity(30 + name.len() + 20);
        h.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        h.extend_from_slice(&(if zip64 { 45u16 } else { 20u16 }).to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // stored
        h.extend_from_slice(&self.time.to_le_bytes());
        h.extend_from_slice(&self.date.to_le_bytes());
        h.extend_from_slice(&crc.to_le_bytes());
        let small = if zip64 { MAX32 as u32 } else { size as u32 };
        h.extend_from_slice(&small.to_le_bytes());
        h.extend_from_slice(&small.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(if zip64 { 20u16 } else { 0u16 }).to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        if zip64 {
            h.extend_from_slice(&1u16.to_le_bytes());
            h.extend_from_slice(&16u16.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
        }
        self.out.write_all(&h)
    }

    fn check_name(&mut self, name: &str) -> io::Result<()> {
        if name.len() > usize::from(u16::MAX) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("ZIP entry name too long: {name}"),
            ));
        }
        self.names.insert(name.to_owned());
        Ok(())
    }

    /// Adds an entry whose content is at hand.
    pub fn add(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        self.check_name(name)?;
        let offset = self.out.count();
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let size = data.len() as u64;
        let flags = Self::flags_for(name);
        self.local_header(name, flags, crc.sum(), size, size >= MAX32)?;
        self.out.write_all(data)?;
        self.entries.push(Entry {
            name: name.to_owned(),
            flags,
            crc: crc.sum(),
            size,
            offset,
        });
        Ok(())
    }

    /// Adds an entry written piece by piece; its size and checksum follow
    /// the data (data descriptor).
    pub fn add_streamed<I>(&mut self, name: &str, pieces: I) -> io::Result<()>
    where
        I: IntoIterator<Item = io::Result<Vec<u8>>>,
    {
        self.check_name(name)?;
        let offset = self.out.count();
        let flags = Self::flags_for(name) | FLAG_DESCRIPTOR;
        self.local_header(name, flags, 0, 0, true)?;
        let mut crc = flate2::Crc::new();
        let mut size = 0u64;
        for piece in pieces {
            let piece = piece?;
            crc.update(&piece);
            size += piece.len() as u64;
            self.out.write_all(&piece)?;
        }
        let mut d = Vec::with_capacity(24);
        d.extend_from_slice(&DESCRIPTOR_SIG.to_le_bytes());
        d.extend_from_slice(&crc.sum().to_le_bytes());
        d.extend_from_slice(&size.to_le_bytes());
        d.extend_from_slice(&size.to_le_bytes());
        self.out.write_all(&d)?;
        self.entries.push(Entry {
            name: name.to_owned(),
            flags,
            crc: crc.sum(),
            size,
            offset,
        });
        Ok(())
    }

    /// Writes the central directory and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let cd_start = self.out.count();
        for e in &self.entries {
            let mut extra = Vec::new();
            let mut size32 = e.size as u32;
            let mut offset32 = e.offset as u32;
            if e.size >= MAX32 {
                size32 = MAX32 as u32;
                extra.extend_from_slice(&e.size.to_le_bytes());
                extra.extend_from_slice(&e.size.to_le_bytes());
            }
            if e.offset >= MAX32 {
                offset32 = MAX32 as u32;
                extra.extend_from_slice(&e.offset.to_le_bytes());
            }
            let zip64 = !extra.is_empty();
            let mut h = Vec::with_capacity(46 + e.name.len() + 4 + extra.len());
            h.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
            h.extend_from_slice(&((3u16 << 8) | 45).to_le_bytes()); // made by: Unix
            h.extend_from_slice(
                &(if zip64 || e.flags & FLAG_DESCRIPTOR != 0 {
                    45u16
                } else {
                    20u16
                })
                .to_le_bytes(),
            );
            h.extend_from_slice(&e.flags.to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(&self.time.to_le_bytes());
            h.extend_from_slice(&self.date.to_le_bytes());
            h.extend_from_slice(&e.crc.to_le_bytes());
            h.extend_from_slice(&size32.to_le_bytes());
            h.extend_from_slice(&size32.to_le_bytes());
            h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&(if zip64 { extra.len() as u16 + 4 } else { 0 }).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // comment
            h.extend_from_slice(&0u16.to_le_bytes()); // disk
            h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            h.extend_from_slice(&((0o100644u32) << 16).to_le_bytes());
            h.extend_from_slice(&offset32.to_le_bytes());
            h.extend_from_slice(e.name.as_bytes());
            if zip64 {
                h.extend_from_slice(&1u16.to_le_bytes());
                h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
                h.extend_from_slice(&extra);
            }
            self.out.write_all(&h)?;
        }
        let cd_end = self.out.count();
        let cd_size = cd_end - cd_start;
        let count = self.entries.len() as u64;
        let need64 = count >= 0xFFFF || cd_start >= MAX32 || cd_size >= MAX32;
        let mut t = Vec::with_capacity(98);
        if need64 {
            t.extend_from_slice(&EOCD64_SIG.to_le_bytes());
            t.extend_from_slice(&44u64.to_le_bytes());
            t.extend_from_slice(&((3u16 << 8) | 45).to_le_bytes());
            t.extend_from_slice(&45u16.to_le_bytes());
            t.extend_from_slice(&0u32.to_le_bytes());
            t.extend_from_slice(&0u32.to_le_bytes());
            t.extend_from_slice(&count.to_le_bytes());
            t.extend_from_slice(&count.to_le_bytes());
            t.extend_from_slice(&cd_size.to_le_bytes());
            t.extend_from_slice(&cd_start.to_le_bytes());
            t.extend_from_slice(&EOCD64_LOCATOR_SIG.to_le_bytes());
            t.extend_from_slice(&0u32.to_le_bytes());
            t.extend_from_slice(&cd_end.to_le_bytes());
            t.extend_from_slice(&1u32.to_le_bytes());
        }
        let count16 = if need64 { 0xFFFF } else { count as u16 };
        t.extend_from_slice(&EOCD_SIG.to_le_bytes());
        t.extend_from_slice(&0u16.to_le_bytes());
        t.extend_from_slice(&0u16.to_le_bytes());
        t.extend_from_slice(&count16.to_le_bytes());
        t.extend_from_slice(&count16.to_le_bytes());
        t.extend_from_slice(&(if need64 { MAX32 as u32 } else { cd_size as u32 }).to_le_bytes());
        t.extend_from_slice(
            &(if need64 {
                MAX32 as u32
            } else {
                cd_start as u32
            })
            .to_le_bytes(),
        );
        t.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&t)?;
        self.out.flush()?;
        Ok(self.out.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn readable_by_a_zip_reader() {
        let mut z = ZipStream::new(Vec::new());
        z.add("a/b.txt", b"hello").expect("add");
        z.add_streamed("r/é.plist", vec![Ok(b"x".to_vec()), Ok(b"yz".to_vec())])
            .expect("streamed");
        z.add("empty", b"").expect("add");
        assert!(z.contains("a/b.txt"));
        let bytes = z.finish().expect("finish");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("valid zip");
        assert_eq!(archive.len(), 3);
        let mut s = String::new();
        archive
            .by_name("r/é.plist")
            .expect("entry")
            .read_to_string(&mut s)
            .expect("read");
        assert_eq!(s, "xyz");
        s.clear();
        archive
            .by_name("a/b.txt")
            .expect("entry")
            .read_to_string(&mut s)
            .expect("read");
        assert_eq!(s, "hello");
    }

    #[test]
    fn many_entries_use_zip64_end_record() {
        let mut z = ZipStream::new(Vec::new());
        for i in 0..70_000 {
            z.add(&format!("f{i}"), b"").expect("add");
        }
        let bytes = z.finish().expect("finish");
        let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("valid zip");
        assert_eq!(archive.len(), 70_000);
    }
}
