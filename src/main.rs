fn main() {
    limit_malloc_arenas();
    std::process::exit(factls::cli::main())
}

/// glibc's allocator gives threads that allocate at once arenas of their
/// own (up to eight per core) and keeps what each arena freed; with the
/// indexing threads and the server's runtime that is a tenth of the
/// server's peak memory on a small corpus. Two arenas cost no measurable
/// time here (docs/PERFORMANCE.md). `MALLOC_ARENA_MAX`, when set, wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: `mallopt` only sets a parameter of the allocator, and no
        // other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
