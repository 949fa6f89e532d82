//! factls: names, sources and unsourced claims in annotated text corpora.
//!
//! Layers, each importing only from the ones above it:
//! - [`analysis`]: pure text analysis (positions, knowledge base, names,
//!   citations, claim rules). No IO, no async, no protocol types.
//! - [`index`]: the corpus — files on disk, one analysis per document, the
//!   lexicon shared by all, name → mentions and key → definitions.
//! - `ide`: one module per editor feature (hover, definition, …), in
//!   editor terms (byte offsets, plain structs).
//! - `lsp` and [`cli`]: adapters. Only `src/lsp/` names `tower_lsp` or
//!   `lsp_types`. Both write their large outputs' JSON strings through
//!   `json`.
//!
//! Architecture invariant: positions are byte offsets into a document's
//! text everywhere except at the two edges, where `analysis::text::LineIndex`
//! converts them (`src/lsp/convert.rs` for the protocol, `src/cli/` for
//! `file:line:col`).
//!
//! Architecture invariant: nothing here writes a user's file. Changes are
//! returned as edits for the editor to apply.

pub mod analysis;
#[cfg(feature = "cli")]
pub mod cli;
pub mod ide;
pub mod index;
#[cfg(feature = "cli")]
mod json;
#[cfg(feature = "cli")]
pub mod lsp;

/// Logs to stderr at the level `FACTLS_LOG` asks for (`warn` by default;
/// `FACTLS_LOG=debug factls check DIR` prints how long each phase took).
#[cfg(feature = "cli")]
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FACTLS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
}
