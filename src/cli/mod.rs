//! The command line: `factls check`, `factls names`, `factls lsp`.
//!
//! Exit codes: 0 clean, 1 when diagnostics at error level were found
//! (`--deny warnings` counts warnings too), 2 on a usage or I/O error
//! (a missing path, an unreadable file). Problems go to stderr as
//! `factls: PATH: message`; the rest of the corpus is still checked.

mod check;
mod names;
mod output;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::index::Corpus;
use crate::index::walk::find_root;

#[derive(Parser)]
#[command(name = "factls", version, about = "Names, sources and unsourced claims in annotated text corpora")]
struct Cli {
    /// Serve the Language Server Protocol over stdio (same as `factls lsp`).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check documents for unsourced claims, undefined citations and
    /// knowledge-base problems.
    Check {
        /// Files or folders (default: the current folder).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Make warnings count for the exit code.
        #[arg(long, value_enum)]
        deny: Option<Deny>,
    },
    /// List recognised names with kind, origin, mentions and first
    /// introduction.
    Names {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = NamesFormat::Human)]
        format: NamesFormat,
    },
    /// Serve the Language Server Protocol over stdio.
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum NamesFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Deny {
    Warnings,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    crate::init_logging();
    match cli.command {
        None if cli.stdio => crate::lsp::run(),
        Some(Command::Lsp { .. }) => crate::lsp::run(),
        None => {
            eprintln!("factls: no command given; try `factls check PATH`, `factls names PATH` or `factls lsp`");
            2
        }
        Some(Command::Check { paths, format, deny }) => check::run(&paths, format, deny.is_some()),
        Some(Command::Names { paths, format }) => names::run(&paths, format),
    }
}

/// The corpora behind the paths given on the command line: each path's
/// root, loaded once, with what its load gave besides the corpus and the
/// paths it was asked about. Missing paths are reported and set
/// `io_error`.
pub(crate) struct Selection<T> {
    pub corpora: Vec<(Corpus, T, Vec<PathBuf>)>,
    pub io_error: bool,
}

/// `load` loads a corpus from its root ([`Corpus::load`], or
/// [`Corpus::load_for_check`] with the documents it leaves to resolve).
pub(crate) fn select<T>(paths: &[PathBuf], load: fn(&Path) -> (Corpus, T)) -> Selection<T> {
    let paths: Vec<PathBuf> = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let mut corpora: Vec<(Corpus, T, Vec<PathBuf>)> = Vec::new();
    let mut io_error = false;
    for p in paths {
        let abs = match absolute(&p) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("factls: {}: {}", p.display(), crate::index::walk::io_message(&e));
                io_error = true;
                continue;
            }
        };
        let root = find_root(&abs);
        match corpora.iter_mut().find(|(c, _, _)| c.root == root) {
            Some((_, _, list)) => list.push(abs),
            None => {
                let (corpus, loaded) = load(&root);
                corpora.push((corpus, loaded, vec![abs]));
            }
        }
    }
    for (corpus, _, _) in &corpora {
        for problem in corpus.problems.iter() {
            eprintln!("factls: {}: {}", display(&problem.path), problem.message);
            io_error |= problem.io;
        }
    }
    Selection { corpora, io_error }
}

/// A path made absolute for finding its corpus. A symlink to a file stays
/// where it is (its folder resolved, not its target): the corpus is the one
/// around the link, as the walker sees it, and nothing outside it is read.
fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    let resolved = std::fs::canonicalize(p)?;
    let is_link = std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    match (is_link && resolved.is_file(), p.parent(), p.file_name()) {
        (true, Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            Ok(std::fs::canonicalize(parent)?.join(name))
        }
        _ => Ok(resolved),
    }
}

/// Whether `path` is one of `selected` or below one of them.
pub(crate) fn selected(path: &Path, selected: &[PathBuf]) -> bool {
    selected.iter().any(|s| path.starts_with(s))
}

/// The peak resident memory in bytes that a `/proc/PID/status` text
/// gives (`VmHWM`, Linux): `factls check` logs its own at debug level, the
/// benchmark reads the server's.
pub fn peak_resident(status: &str) -> Option<u64> {
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().strip_suffix("kB")?.trim();
    kb.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// Logs, at debug level, the time since `started` and the peak resident
/// memory (where the system tells it: Linux), once the output is written:
/// the benchmark reads `check`'s and `names`'s here.
pub(crate) fn log_peak(started: std::time::Instant) {
    if tracing::enabled!(tracing::Level::DEBUG) {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let peak = peak_resident(&status).unwrap_or(0);
        tracing::debug!(elapsed = ?started.elapsed(), peak_rss = peak, "output written");
    }
}

/// Writes the output; a closed pipe (`factls check | head`) ends the
/// process quietly, as ripgrep does.
pub(crate) fn emit(text: &str) {
    let mut out = Output::stdout();
    out.write(text);
    out.finish();
}

/// Buffered standard output that ends the process on a closed pipe (quietly,
/// exit 0, as ripgrep does) or on any other write error (exit 2).
pub(crate) struct Output(std::io::BufWriter<std::io::StdoutLock<'static>>);

impl Output {
    pub(crate) fn stdout() -> Output {
        Output(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock()))
    }

    pub(crate) fn write(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
    }

    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        use std::io::Write;
        if let Err(e) = self.0.write_all(bytes) {
            Self::fail(e);
        }
    }

    /// Writes `parts` one after the other, handed to the system together
    /// (`writev`) rather than copied into the buffer first: a report's
    /// parts are most of its bytes (99 MB of JSON at seeds 10,000).
    pub(crate) fn write_parts(&mut self, parts: &[&[u8]]) {
        use std::io::{ErrorKind, IoSlice, Write};
        if let Err(e) = self.0.flush() {
            Self::fail(e);
        }
        let mut slices: Vec<IoSlice> = parts.iter().map(|p| IoSlice::new(p)).collect();
        let mut left = &mut slices[..];
        IoSlice::advance_slices(&mut left, 0);
        let out = self.0.get_mut();
        while !left.is_empty() {
            match out.write_vectored(left) {
                Ok(0) => Self::fail(ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut left, n),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => Self::fail(e),
            }
        }
    }

    pub(crate) fn finish(mut self) {
        use std::io::Write;
        if let Err(e) = self.0.flush() {
            Self::fail(e);
        }
    }

    fn fail(e: std::io::Error) -> ! {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("factls: cannot write the output: {}", crate::index::walk::io_message(&e));
        std::process::exit(2);
    }
}

/// A path as the user should see it: relative to the current folder when
/// below it.
pub(crate) fn display(path: &Path) -> String {
    Relative::to_current_dir().show(path)
}

/// Shows paths relative to the current folder (looked up once, not per
/// file).
pub(crate) struct Relative(Option<PathBuf>);

impl Relative {
    pub(crate) fn to_current_dir() -> Relative {
        Relative(std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok()))
    }

    pub(crate) fn show(&self, path: &Path) -> String {
        match self.0.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
            Some(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
            _ => path.display().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::peak_resident;

    #[test]
    fn peak_resident_reads_vm_hwm_in_bytes() {
        let status = "Name:\tfactls\nVmPeak:\t  900 kB\nVmHWM:\t    1234 kB\nVmRSS:\t    1000 kB\n";
        assert_eq!(peak_resident(status), Some(1234 * 1024));
        assert_eq!(peak_resident("Name:\tfactls\n"), None);
        assert_eq!(peak_resident("VmHWM:\t12 MB\n"), None);
    }
}
