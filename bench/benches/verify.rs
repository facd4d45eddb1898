//! Host verification, ours against dmrtd 0.3 on the same card bytes, and the whole simulated
//! read. `bash scripts/bench` runs it and tables the result in docs/performance.md.

use std::collections::BTreeMap;
use std::hint::black_box;

use cancuoc_core::files::FileId;
use cancuoc_core::lds::sod;
use cancuoc_core::pace::Can;
use cancuoc_core::{Credentials, ReadOptions, auth::passive, read_card};
use cancuoc_sim::{CardSpec, Pki, build, simulated_card, trust_store};
use criterion::{Criterion, criterion_group, criterion_main};

const NOW: u64 = 1_795_392_000;

struct Card {
    sod: Vec<u8>,
    dgs: BTreeMap<FileId, Vec<u8>>,
    present: Vec<u8>,
}

fn card(variant: &str) -> Card {
    let image = build(&CardSpec::variant(variant).expect("variant"));
    let present: Vec<u8> = [1u8, 2, 13, 14, 15].into_iter().filter(|n| image.file(FileId::Dg(*n)).is_some()).collect();
    Card {
        sod: image.file(FileId::Sod).expect("SOD").to_vec(),
        dgs: present.iter().filter_map(|n| image.file(FileId::Dg(*n)).map(|b| (FileId::Dg(*n), b.to_vec()))).collect(),
        present,
    }
}

fn passive_auth(c: &mut Criterion) {
    let pki = Pki::load();
    let trust = trust_store();
    for (name, variant, csca) in [("rsa", "rsa", "csca-rsa"), ("p256", "ecdsa-p256", "csca-p256")] {
        let card = card(variant);
        // Both must say the card is genuine before their speed means anything.
        let s = sod::parse(&card.sod).expect("our SOD parse");
        let ours = passive::verify(&s, &card.dgs, &card.present, &trust, NOW);
        assert!(ours.chain == cancuoc_core::verdict::ChainStatus::Valid, "{name}: {:?}", ours.chain);
        let anchors = vec![dmrtd::auth::passive::TrustAnchor::from_certificate(&pki.cert(csca)).expect("dmrtd anchor")];
        let groups: Vec<dmrtd::auth::passive::DataGroup<'_>> = card
            .dgs
            .iter()
            .filter_map(|(f, b)| match f {
                FileId::Dg(n) => Some(dmrtd::auth::passive::DataGroup { number: *n, bytes: b }),
                _ => None,
            })
            .collect();
        let theirs = dmrtd::auth::passive::verify(&card.sod, &groups, &anchors).expect("dmrtd verifies our card");
        assert!(theirs.is_authentic(), "{name}: dmrtd {theirs:?}");

        let mut g = c.benchmark_group(format!("passive/{name}"));
        g.bench_function("cancuoc", |b| {
            b.iter(|| {
                let s = sod::parse(black_box(&card.sod)).expect("parse");
                black_box(passive::verify(&s, &card.dgs, &card.present, &trust, NOW))
            })
        });
        g.bench_function("cancuoc-parse-only", |b| b.iter(|| black_box(sod::parse(black_box(&card.sod)))));
        g.bench_function("dmrtd", |b| {
            b.iter(|| black_box(dmrtd::auth::passive::verify(black_box(&card.sod), &groups, &anchors)))
        });
        g.finish();
    }
}

fn whole_read(c: &mut Criterion) {
    let trust = trust_store();
    let mut g = c.benchmark_group("read");
    g.sample_size(20);
    for variant in ["rsa", "ecdsa-p256"] {
        g.bench_function(variant, |b| {
            b.iter(|| {
                let mut chip = simulated_card(variant).expect("variant");
                let creds = Credentials { can: Can::new(cancuoc_sim::image::CAN).ok(), mrz: None };
                let opts = ReadOptions::cccd(&trust, NOW);
                let r = read_card(&mut chip, &creds, &opts, &mut cancuoc_sim::os_rng(), None, &mut |_| {});
                assert!(r.as_ref().is_ok_and(|r| r.verdict.is_verified()));
                black_box(r.is_ok())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, passive_auth, whole_read);
criterion_main!(benches);
