//! `cargo run --release -p cancuoc-address --example speed`: the time to load and check the
//! built-in table, and of one lookup (median of many), for docs/performance.md.
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let loads: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            let u = cancuoc_address::Units::parse(cancuoc_address::BUILTIN);
            std::hint::black_box(&u);
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let u = cancuoc_address::builtin();
    let texts = [
        "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận Hoàn Kiếm, Hà Nội",
        "12 Lê Lợi, P.4, Q.3, TP.HCM",
        "Phường Phú Hội, Thành phố Huế, Tỉnh Thừa Thiên Huế",
        "Phường Hoàn Kiếm, Thành phố Hà Nội",
        "Không có địa chỉ nào như thế này",
    ];
    let mut per = Vec::new();
    for _ in 0..200 {
        for t in texts {
            let s = Instant::now();
            std::hint::black_box(u.lookup(t));
            per.push(s.elapsed().as_secs_f64() * 1e6);
        }
    }
    println!(
        "load+check: median {:.1} ms (min {:.1}, max {:.1}) over {} loads",
        median(loads.clone()),
        loads.iter().cloned().fold(f64::MAX, f64::min),
        loads.iter().cloned().fold(0.0, f64::max),
        loads.len()
    );
    println!(
        "lookup: median {:.1} µs, max {:.1} µs over {} lookups of {} addresses",
        median(per.clone()),
        per.iter().cloned().fold(0.0, f64::max),
        per.len(),
        texts.len()
    );
}
