//! The face comparison's cost on the CPU (issue 42's budget: detection + descriptor of one
//! picture ≤ 300 ms on the 2-core machine): a chip-sized photo, a camera-sized picture, the
//! whole comparison, and loading the networks.

use cancuoc_face::{FaceModels, Finding, Picture, Settings};
use criterion::{Criterion, criterion_group, criterion_main};

fn picture(name: &str) -> Picture {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/face/tests/pictures").join(name);
    Picture::decode(&std::fs::read(path).expect("test picture")).expect("decodes")
}

fn bench(c: &mut Criterion) {
    let models = FaceModels::load().expect("weights");
    let settings = Settings::default();
    let chip = picture("obama_dg2.jp2");
    let live = picture("obama.jpg");
    assert!(matches!(models.examine(&chip, &settings), Finding::One(..)));
    assert!(matches!(models.examine(&live, &settings), Finding::One(..)));
    let mut g = c.benchmark_group("face");
    g.sample_size(20);
    g.bench_function("load the two networks", |b| b.iter(|| FaceModels::load().expect("weights")));
    g.bench_function("detect + describe, chip photo 240x320", |b| b.iter(|| models.examine(&chip, &settings)));
    g.bench_function("detect + describe, photo 910x1137", |b| b.iter(|| models.examine(&live, &settings)));
    g.bench_function("compare chip photo with photo", |b| b.iter(|| models.compare(&chip, &live, &settings)));
    g.bench_function("decode JPEG 2000 chip photo", |b| {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/face/tests/pictures/obama_dg2.jp2"),
        )
        .expect("jp2");
        b.iter(|| Picture::decode(&bytes).expect("decodes"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
