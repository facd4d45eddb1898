//! docs/architecture.md's rule as a test: lower layers never call up, and no two modules of the
//! core use each other. Reads `src/` as text: every `crate::MODULE` a module's code names (test
//! modules and comments left out) must sit on its own layer or below, and the module graph must
//! have no cycle. A new module must be given its layer here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, bottom first (docs/architecture.md, "One pipeline, one direction").
const LAYERS: &[&[&str]] = &[
    // Primitives: bytes, text, hashes and ciphers, the transport trait, a curve.
    &["tlv", "mrz", "crypto", "apdu", "bp512"],
    // Built on them: BER repair, curve and DH arithmetic, access keys, secure messaging, the
    // parsers' error.
    &["ber", "ecc", "dh", "access", "sm", "parse"],
    // Content: the LDS files (and their names) and certificates.
    &["cert", "lds"],
    // The core's one error type.
    &["error"],
    // Selecting and reading files through a session.
    &["files"],
    // Opening a session.
    &["bac", "pace"],
    // What verification judges against and produces.
    &["trust", "verdict"],
    // Verification: signatures, passive, active and chip authentication, master lists.
    &["auth"],
    // The one entry point.
    &["read"],
];

/// Names lib.rs re-exports under another name, and the module they stand for.
const ALIASES: &[(&str, &str)] = &[("ca", "auth"), ("ecparams", "auth")];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The module's code without test modules and comments. A file of tests on its own (its inner
/// attribute `#![cfg(test)]`, e.g. `access/tests.rs`) has none.
fn code(text: &str) -> String {
    if text.lines().any(|l| l.trim() == "#![cfg(test)]") {
        return String::new();
    }
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a piece of code names through `crate::`.
fn uses(code: &str) -> BTreeSet<String> {
    names_after(code, "crate::")
        .into_iter()
        .map(|n| ALIASES.iter().find(|(a, _)| *a == n).map_or(n.clone(), |(_, m)| (*m).to_string()))
        .collect()
}

/// The names that follow `prefix` in a piece of code (`prefix::a`, `prefix::{a::X, b}`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        // `crate::` inside `super::crate::`-like text cannot occur; `xsuper::` is not `super::`.
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::X, b};`
            let inner = group.split('}').next().unwrap_or("");
            for part in inner.split(',') {
                let name: String = part.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                out.insert(name);
            }
        } else {
            out.insert(rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect());
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// Inside each folder: file module (`auth::sig`) → the files of the same folder it names, through
/// `super::` or `crate::FOLDER::` (or a name lib.rs re-exports for one of them). The folder's
/// mod.rs only declares its files and is left out.
fn inner_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for folder in std::fs::read_dir(src).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        let name = folder.file_name().unwrap().to_string_lossy().to_string();
        let files: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("rs"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
            .filter(|f| f != "mod")
            .collect();
        for file in &files {
            let text = code(&std::fs::read_to_string(folder.join(format!("{file}.rs"))).unwrap());
            let mut named = names_after(&text, "super::");
            named.extend(names_after(&text, &format!("crate::{name}::")));
            // `crate::ecparams` is lib.rs's name for `auth::ecparams`.
            named.extend(
                names_after(&text, "crate::")
                    .into_iter()
                    .filter(|n| files.contains(n) && ALIASES.iter().any(|(a, m)| a == n && *m == name)),
            );
            let entry = g.entry(format!("{name}::{file}")).or_default();
            entry.extend(named.into_iter().filter(|n| files.contains(n) && n != file).map(|n| format!("{name}::{n}")));
        }
    }
    g
}

/// Module → the modules it uses, from every file under `src/` (a folder is one module).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let module = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
            if module == "lib" {
                continue;
            }
            let used = uses(&code(&std::fs::read_to_string(&path).unwrap()));
            let entry = g.entry(module.clone()).or_default();
            entry.extend(used.into_iter().filter(|u| *u != module));
        }
    }
    g
}

/// Every rule broken, in words.
fn violations(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (module, used) in g {
        let Some(mine) = layer_of(module) else {
            out.push(format!("module `{module}` has no layer: add it to LAYERS in tests/layers.rs"));
            continue;
        };
        for u in used {
            match layer_of(u) {
                Some(theirs) if theirs > mine => {
                    out.push(format!("`{module}` (layer {mine}) uses `{u}` (layer {theirs}): an upward use"))
                }
                None if g.contains_key(u) => {}
                _ => {}
            }
        }
    }
    out.extend(cycles(g));
    out
}

/// Every module that reaches itself through others.
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for start in g.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = g[start].iter().collect();
        while let Some(m) = todo.pop() {
            if m == start {
                out.push(format!("`{start}` uses itself through other modules: a cycle"));
                break;
            }
            if seen.insert(m.clone())
                && let Some(next) = g.get(m)
            {
                todo.extend(next.iter());
            }
        }
    }
    out
}

#[test]
fn lower_layers_never_call_up_and_nothing_goes_round() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = graph(&src);
    assert!(g.len() >= 20, "read {} modules", g.len());
    let v = violations(&g);
    assert!(v.is_empty(), "{}", v.join("\n"));
}

/// Inside a folder too: `auth::sig` dispatches to `auth::alg`, `auth::ecparams` and
/// `auth::ring_backend`, none of which uses it back (issue 41).
#[test]
fn no_two_files_of_a_folder_use_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let g = inner_graph(&src);
    assert!(g.contains_key("auth::sig") && g.contains_key("lds::dg13"), "{:?}", g.keys());
    assert!(g["auth::sig"].contains("auth::alg") && g["auth::sig"].contains("auth::ecparams"), "{g:?}");
    let c = cycles(&g);
    assert!(c.is_empty(), "{}", c.join("\n"));
    // The old knot would be caught: ecparams taking SigError from sig again.
    let mut g = g;
    g.get_mut("auth::ecparams").unwrap().insert("auth::sig".into());
    assert!(cycles(&g).iter().any(|m| m.contains("`auth::sig` uses itself")), "{:?}", cycles(&g));
    // And the scan reads `super::` and `crate::FOLDER::` forms.
    assert_eq!(
        names_after(&code("use super::{alg::SigError, ecparams};\nlet k = super::sig::verify();"), "super::"),
        ["alg", "ecparams", "sig"].iter().map(|s| s.to_string()).collect()
    );
}

#[test]
fn the_check_sees_an_upward_use_a_cycle_and_a_new_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // A primitive that reached up into the entry point would be caught…
    let mut g = graph(&src);
    g.get_mut("tlv").unwrap().insert("read".into());
    let v = violations(&g);
    assert!(v.iter().any(|m| m.contains("`tlv` (layer 0) uses `read`")), "{v:?}");
    assert!(v.iter().any(|m| m.contains("a cycle")), "{v:?}");
    // …as would two modules of one layer using each other, and a module nobody placed.
    let mut g = graph(&src);
    g.get_mut("ecc").unwrap().insert("dh".into());
    g.insert("newthing".into(), BTreeSet::new());
    let v = violations(&g);
    assert!(v.iter().any(|m| m.contains("`ecc` uses itself")), "{v:?}");
    assert!(v.iter().any(|m| m.contains("`newthing` has no layer")), "{v:?}");
    // The text scan reads every form a `use` takes, and skips comments and test modules.
    let u = uses(&code("use crate::{tlv::Tlv, apdu};\nlet x = crate::ca::perform();\n// crate::read\n"));
    assert_eq!(u, ["apdu", "auth", "tlv"].iter().map(|s| s.to_string()).collect());
    assert!(code("fn a() {}\n#[cfg(test)]\nmod t { use crate::read; }").find("read").is_none());
    assert!(code("//! Tests.\n#![cfg(test)]\nuse crate::read;").find("read").is_none());
}

/// The same rule without layers for every other crate of the workspace: no module uses one that
/// uses it back, between the crate's top-level modules or between the files of one folder
/// (issue 41: the bridge's rooms, the desk app's `style`). The programs' own files (`main.rs`,
/// `bin/`) are another crate's `crate::` and are left out; `cancuoc-link` and `cancuoc-api` have
/// one module each.
#[test]
fn no_module_of_the_other_crates_goes_round() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let crates = [
        "bridge/src",
        "bridge/address/src",
        "bridge/demo/src",
        "bridge/face/src",
        "firmware/reader/src",
        "gui/src",
        "tests/src",
    ];
    for krate in crates {
        let src = root.join(krate);
        let mut g = graph(&src);
        g.retain(|m, _| m != "main" && m != "bin");
        let modules: BTreeSet<String> = g.keys().cloned().collect();
        for used in g.values_mut() {
            used.retain(|u| modules.contains(u));
        }
        let mut c = cycles(&g);
        c.extend(cycles(&inner_graph(&src)));
        assert!(c.is_empty(), "{krate}: {}", c.join("\n"));
        assert!(g.len() >= 3, "{krate}: read only {:?}", g.keys());
    }
    // The bridge's rooms are what it reads: `his` is used by the API and never uses it back.
    let g = graph(&root.join("bridge/src"));
    assert!(g["api"].contains("his") && !g["his"].contains("api"), "{g:?}");
}
