//! How the allocator (mimalloc, `crate::ALLOCATOR`) is tuned for the server.

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_t`; the
/// Rust bindings name only some options).
const PURGE_DELAY_OPTION: libmimalloc_sys::mi_option_t = 15;

/// How long, in milliseconds, the server's freed memory stays with the
/// process before mimalloc gives it back to the operating system.
///
/// mimalloc's default is 10 ms. A save of a large model frees tens of
/// megabytes and the next save allocates them again a few milliseconds
/// later; with the default, those pages went back to the kernel and were
/// faulted in and zeroed afresh each time. Measured with 50 clients saving
/// a 200-component model (PostgreSQL): 210-290 thousand page faults in 15 s
/// against 37-44 thousand, and 5.0-5.3 ms of server CPU a save against
/// 4.7-4.75 ms. A second keeps the memory of steady load; after a burst it
/// is still returned, a second (ten for whole arenas) after it was freed.
pub const SERVER_PURGE_DELAY_MS: std::ffi::c_long = 1_000;

/// Sets the purge delay for a long-running server, unless the environment
/// already chose one (`MIMALLOC_PURGE_DELAY`, which mimalloc reads at start).
pub fn tune_for_server() {
    // SAFETY: sets one integer option in mimalloc's option table; called
    // once, at the start of `serve`, before its threads exist (mimalloc's
    // option setters are not synchronised).
    unsafe { libmimalloc_sys::mi_option_set_default(PURGE_DELAY_OPTION, SERVER_PURGE_DELAY_MS) };
}

#[cfg(test)]
mod tests {
    /// The allocator is mimalloc 2.x: a dependency update that brought back
    /// 3.x (the crate's default) would quietly cost CPU and memory.
    #[test]
    fn the_allocator_is_mimalloc_2() {
        // Major, then two digits each of minor and patch: 20302 is 2.3.2.
        let version = crate::ALLOCATOR.version();
        assert!((20_000..30_000).contains(&version), "mimalloc {version}: expected 2.x (the `v2` feature)");
    }

    /// The option number is mimalloc's purge delay: it reads 10 ms, the
    /// library's default, until the server sets it. A mimalloc whose options
    /// moved would fail here rather than set some other option.
    #[test]
    fn the_server_sets_mimallocs_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return; // the environment's value wins, as documented
        }
        // SAFETY: reads and sets an integer option; no other test touches it.
        let before = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY_OPTION) };
        super::tune_for_server();
        let after = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY_OPTION) };
        assert_eq!((before, after), (10, super::SERVER_PURGE_DELAY_MS));
    }
}
