//! The memory allocator of the binaries that include this file (`factls`
//! in `main.rs`, the benchmark in `examples/bench.rs`): with the default
//! feature `jemalloc`, jemalloc (where it builds: not with MSVC); else the
//! system's.
//!
//! Why: a corpus load makes hundreds of thousands of small blocks on two
//! threads, and most of the knowledge base's are transient parse trees.
//! The system allocator leaves their holes in each thread's arena, and
//! resident memory keeps them. jemalloc, set as below, gives freed pages
//! back to the system 50 ms after they are freed, from a thread of its
//! own, so neither an edit nor an indexing thread waits for it. Measured
//! (docs/PERFORMANCE.md, eighth session): the server's peak at 1,000
//! documents about a tenth lower, `check` about 7 % less CPU.
//!
//! The server's work runs on about ten threads (tokio's, pools of its
//! own, the writer), and jemalloc's defaults spread freed memory over
//! them: each thread's cache keeps freed blocks of every size up to
//! 32 KB, and the threads take turns over four arenas a core, each with
//! pages of its own. `tcache_max:8192` leaves the larger blocks to the
//! arenas, and `percpu_arena:percpu` (Linux) gives each core one arena,
//! shared by the threads running on it. Measured (docs/PERFORMANCE.md,
//! seventeenth session): the server's peak over 200 edits of its 50 KB
//! document at seeds 1,000 48 MB against 51–53, the benchmark's peak at
//! 10,000 documents about 5 MB lower, `check` and indexing as fast in
//! runs taken in turn.
//!
//! `_RJEM_MALLOC_CONF` in the environment still overrides the settings.
//! `dirty_decay_ms:0` would purge at once, on the thread that frees:
//! 15,000 `madvise` calls to index seeds 1,000 and make 28 edits in its
//! 50 KB document, against about 550 at 50 ms, and edits slower by a
//! fifth.

#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
mod jemalloc {
    #[global_allocator]
    static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

    /// jemalloc's `malloc_conf`, a `const char *` it reads once, at its
    /// first allocation (the `_rjem_` prefix is tikv-jemalloc-sys's). `&u8`
    /// has the layout of that pointer. `muzzy_decay_ms:0`: a page given
    /// back is given back for good (`MADV_DONTNEED`), not lazily
    /// (`MADV_FREE` pages count as resident until the kernel takes them).
    #[unsafe(export_name = "_rjem_malloc_conf")]
    #[used]
    static MALLOC_CONF: &u8 = &CONF[0];

    /// Background threads are jemalloc's on Linux only; one is enough.
    /// Arenas by core need `sched_getcpu`, Linux's.
    #[cfg(target_os = "linux")]
    const CONF: &[u8] =
        b"background_thread:true,max_background_threads:1,dirty_decay_ms:50,muzzy_decay_ms:0,percpu_arena:percpu,tcache_max:8192\0";
    #[cfg(not(target_os = "linux"))]
    const CONF: &[u8] = b"dirty_decay_ms:50,muzzy_decay_ms:0,tcache_max:8192\0";
}
