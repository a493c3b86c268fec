use clap::Parser;
use std::process::ExitCode;
use xuetang::cli::Cli;

/// Every large allocation (an argon2 hash takes 19 MB) is mapped from the
/// OS and unmapped when freed. glibc's default raises this threshold after
/// the first such free and then keeps the blocks in per-thread arenas: 200
/// logins left the server at 490 MB resident instead of 22 MB.
fn return_large_allocations_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    return_large_allocations_to_the_os();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts")
        .block_on(run())
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    xuetang::telemetry::init();
    match cli.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole cause chain on one line.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
