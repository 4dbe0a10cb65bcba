//! A directory uploaded as one file: a zip, tar or gzip-compressed tar
//! archive of a Terraform root module, a folder of manifests or an AWS CLI
//! inventory. It is unpacked into a temporary directory and read there as
//! `rampart import DIR` reads a directory ([`rampart_iac::read_tree`]).
//!
//! An upload is hostile until shown otherwise, so unpacking writes only
//! regular files, only under the directory (no absolute path, no `..`, no
//! links), and stops at a number of files and of bytes however well the
//! archive compresses.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// The archive kinds read, told by their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    TarGz,
}

impl Kind {
    /// The kind of archive `bytes` is, if it is one.
    pub fn of(bytes: &[u8]) -> Option<Kind> {
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
            Some(Kind::Zip)
        } else if bytes.starts_with(&[0x1f, 0x8b]) {
            Some(Kind::TarGz)
        } else if bytes.get(257..262) == Some(b"ustar") {
            Some(Kind::Tar)
        } else {
            None
        }
    }
}

/// How much an archive may unpack to.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub files: usize,
    pub bytes: u64,
}

/// Enough for a large Terraform monorepo or AWS account's inventory, and
/// far below what a compression bomb would fill a disk with.
pub const LIMITS: Limits = Limits { files: 10_000, bytes: 256 * 1024 * 1024 };

/// Unpacks `bytes` (an archive of `kind`) under `root`; returns how many
/// files it wrote. An error names the entry and what is wrong with it.
pub fn unpack(kind: Kind, bytes: &[u8], root: &Path, limits: Limits) -> Result<usize, String> {
    let mut budget = Budget { limits, files: 0, bytes: 0 };
    match kind {
        Kind::Zip => unpack_zip(bytes, root, &mut budget),
        Kind::Tar => unpack_tar(tar::Archive::new(bytes), root, &mut budget),
        Kind::TarGz => unpack_tar(tar::Archive::new(flate2::read::GzDecoder::new(bytes)), root, &mut budget),
    }?;
    Ok(budget.files)
}

struct Budget {
    limits: Limits,
    files: usize,
    bytes: u64,
}

impl Budget {
    /// Writes `content` to `root`/`name`, within the limits.
    fn write(&mut self, root: &Path, name: &str, content: &mut dyn Read) -> Result<(), String> {
        let Some(relative) = safe_path(name) else {
            return Err(format!(
                "the archive's entry `{name}` points outside the archive (an absolute path or `..`); nothing was imported"
            ));
        };
        self.files += 1;
        if self.files > self.limits.files {
            return Err(format!(
                "the archive holds more than {} files; upload the directory that matters",
                self.limits.files
            ));
        }
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot unpack `{name}`: {e}"))?;
        }
        let mut file = std::fs::File::create(&path).map_err(|e| format!("cannot unpack `{name}`: {e}"))?;
        let room = self.limits.bytes - self.bytes;
        // One byte past the room tells an entry that does not fit.
        let written = std::io::copy(&mut content.take(room + 1), &mut file)
            .map_err(|e| format!("cannot read the archive's entry `{name}`: {e}"))?;
        if written > room {
            return Err(format!(
                "the archive unpacks to more than {} MiB; upload the directory that matters",
                self.limits.bytes / (1024 * 1024)
            ));
        }
        self.bytes += written;
        file.flush().map_err(|e| format!("cannot unpack `{name}`: {e}"))
    }
}

/// `name` as a path under the archive's root, or None when it would leave
/// it. Entries of macOS's resource forks (`__MACOSX/`) are not files of
/// the directory: the caller skips them (see [`skipped`]).
fn safe_path(name: &str) -> Option<PathBuf> {
    if name.contains('\\') || name.contains('\0') {
        return None;
    }
    let path = Path::new(name);
    let mut relative = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!relative.as_os_str().is_empty()).then_some(relative)
}

/// Entries that are no file of the directory: macOS's resource forks.
fn skipped(name: &str) -> bool {
    name.starts_with("__MACOSX/") || name.rsplit('/').next().is_some_and(|file| file.starts_with("._"))
}

fn unpack_zip(bytes: &[u8], root: &Path, budget: &mut Budget) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("the upload is not a readable zip archive: {e}"))?;
    for index in 0..archive.len() {
        let mut entry =
            archive.by_index(index).map_err(|e| format!("the zip archive's entry {index} cannot be read: {e}"))?;
        let name = entry
            .name()
            .map_err(|e| format!("the zip archive's entry {index} has no readable name: {e}"))?
            .into_owned();
        if entry.is_dir() || skipped(&name) {
            continue;
        }
        if entry.is_symlink() || !entry.is_file() {
            return Err(format!("the archive's entry `{name}` is a link, not a file; nothing was imported"));
        }
        budget.write(root, &name, &mut entry)?;
    }
    Ok(())
}

fn unpack_tar<R: Read>(mut archive: tar::Archive<R>, root: &Path, budget: &mut Budget) -> Result<(), String> {
    let entries = archive.entries().map_err(|e| format!("the upload is not a readable tar archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("the tar archive cannot be read: {e}"))?;
        let name = match entry.path() {
            Ok(path) => path.to_string_lossy().into_owned(),
            Err(e) => return Err(format!("an entry of the tar archive has no readable name: {e}")),
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() || skipped(&name) || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if !kind.is_file() {
            return Err(format!(
                "the archive's entry `{name}` is not a regular file (a link or a device); nothing was imported"
            ));
        }
        budget.write(root, &name, &mut entry)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer.start_file(*name, zip::write::SimpleFileOptions::default()).expect("entry");
            writer.write_all(content).expect("content");
        }
        writer.finish().expect("zip").into_inner()
    }

    #[test]
    fn kinds_are_told_by_their_first_bytes() {
        assert_eq!(Kind::of(&zip_of(&[("a.tf", b"x")])), Some(Kind::Zip));
        assert_eq!(Kind::of(&[0x1f, 0x8b, 8, 0]), Some(Kind::TarGz));
        assert_eq!(Kind::of(b"resource \"aws_s3_bucket\" \"b\" {}"), None);
        assert_eq!(Kind::of(b"rampart: 1\n"), None);
    }

    #[test]
    fn entries_that_leave_the_directory_are_refused() {
        for name in ["../evil.tf", "/etc/evil.tf", "a/../../evil.tf", "a\\..\\evil.tf"] {
            let dir = tempfile::tempdir().expect("dir");
            let error = unpack(Kind::Zip, &zip_of(&[(name, b"x")]), dir.path(), LIMITS).expect_err(name);
            assert!(error.contains(name) && error.contains("outside"), "{name}: {error}");
        }
        assert_eq!(safe_path("./main.tf"), Some(PathBuf::from("main.tf")));
        assert_eq!(safe_path("modules/vpc/main.tf"), Some(PathBuf::from("modules/vpc/main.tf")));
    }

    #[test]
    fn an_archive_that_unpacks_past_the_limits_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let big = vec![b'a'; 4096];
        let small = Limits { files: 10, bytes: 4095 };
        let error = unpack(Kind::Zip, &zip_of(&[("big.tf", &big)]), dir.path(), small).expect_err("too big");
        assert!(error.contains("more than"), "{error}");
        let many: Vec<(String, &[u8])> = (0..11).map(|n| (format!("f{n}.tf"), &b"x"[..])).collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(name, content)| (name.as_str(), *content)).collect();
        let error = unpack(Kind::Zip, &zip_of(&many), dir.path(), small).expect_err("too many");
        assert!(error.contains("more than 10 files"), "{error}");
        let fits = unpack(Kind::Zip, &zip_of(&[("a.tf", &big[..4095])]), dir.path(), small).expect("fits");
        assert_eq!(fits, 1);
    }

    #[test]
    fn links_in_a_tar_are_refused_and_resource_forks_skipped() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        builder.append_link(&mut header, "passwd.tf", "/etc/passwd").expect("link");
        let dir = tempfile::tempdir().expect("dir");
        let error = unpack(Kind::Tar, &builder.into_inner().expect("tar"), dir.path(), LIMITS).expect_err("a link");
        assert!(error.contains("passwd.tf") && error.contains("not a regular file"), "{error}");

        let archive = zip_of(&[("main.tf", b"x"), ("__MACOSX/._main.tf", b"\x00\x05"), ("._other.tf", b"\x00")]);
        assert_eq!(unpack(Kind::Zip, &archive, dir.path(), LIMITS).expect("unpacked"), 1);
    }
}
