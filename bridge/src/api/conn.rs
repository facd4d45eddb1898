//! The accept loop: each connection served by hyper with a header timeout (which is also the
//! longest a kept-alive connection may sit idle between requests), at most a bounded number at
//! once — below the process's open-file limit, which is raised to its hard limit where the OS
//! allows — so idle or slow clients cannot starve the counter's hospital system of answers.

use std::sync::Arc;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::edge::Limits;

/// File descriptors kept free for everything else (the reader, the store, the trust store).
const SPARE_FILES: u64 = 64;

/// Raises the open-file limit to its hard limit (Unix) and returns the connection cap that fits
/// under it.
pub fn connection_cap(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit read and write the struct we pass, nothing else.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
                // SAFETY: as above.
                if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                    lim.rlim_cur = lim.rlim_max;
                }
            }
            // rlim_t is u64 on Linux, another width elsewhere.
            #[allow(clippy::unnecessary_cast)]
            let room = (lim.rlim_cur as u64).saturating_sub(SPARE_FILES).max(8);
            return wanted.min(usize::try_from(room / 2).unwrap_or(usize::MAX)).max(4);
        }
    }
    wanted.max(4)
}

/// Serves `app` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, app: axum::Router, limits: Limits) -> std::io::Result<()> {
    let cap = connection_cap(limits.max_connections);
    let permits = Arc::new(Semaphore::new(cap));
    loop {
        // Past the cap, the next connection waits in the kernel's queue until one closes.
        let Ok(permit) = permits.clone().acquire_owned().await else { return Ok(()) };
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors or a reset before accept: try again shortly.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let svc = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let mut b = hyper::server::conn::http1::Builder::new();
            b.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
            let _ = b.serve_connection(TokioIo::new(stream), svc).with_upgrades().await;
        });
    }
}
