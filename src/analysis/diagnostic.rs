//! What the analysis reports: a byte range, a severity, a stable rule id and
//! a message. Protocol-free; `src/lsp/` and `src/cli/` render it.
//!
//! Messages are lowercase, carry no trailing period, and name the offending
//! value (ripgrep's and rust-analyzer's convention).

use std::borrow::Cow;
use std::fmt;

use super::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    /// Parses a severity as written in `factls.toml` or editor settings.
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" | "warn" => Severity::Warning,
            "information" | "info" => Severity::Information,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }

    /// One step less severe (an attributed claim is reported this way).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Error => Severity::Warning,
            Severity::Warning => Severity::Information,
            Severity::Information | Severity::Hint => Severity::Hint,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Extra facts a diagnostic carries so that a code action needs no server
/// state (rust-analyzer's "requests are stateless").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiagnosticData {
    None,
    /// An unsourced claim: the sentence it belongs to, so a citation can be
    /// inserted after it.
    Claim {
        sentence: TextRange,
    },
    /// A citation whose key is defined nowhere.
    UndefinedCitation {
        key: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: TextRange,
    pub severity: Severity,
    /// Stable kebab-case rule id, e.g. `money-figure`, `kb-duplicate-id`:
    /// borrowed for the built-in ones (a corpus reports hundreds of
    /// thousands), owned for custom rules.
    pub code: Cow<'static, str>,
    pub message: String,
    pub data: DiagnosticData,
}

impl Diagnostic {
    pub fn new(
        range: TextRange,
        severity: Severity,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic { range, severity, code: code.into(), message: message.into(), data: DiagnosticData::None }
    }
}
