#!/usr/bin/env python3
"""Turns the on-target run (scripts/on-target) into the budget tables of docs/performance.md.

usage: on_target_report.py OUT_DIR docs/performance.md

Reads the board images' section sizes (arm-none-eabi-size) and the QEMU harness output, writes the
tables between the on-target markers of the doc, prints them, and exits 1 when the QEMU run failed
or a size is over its limit.
"""
import re
import subprocess
import sys
from pathlib import Path

FLASH_TARGET = 256 * 1024  # issue 5's budget, enforced: CI fails when an image grows past it
RAM_LIMIT = 96 * 1024
# Instructions of a whole read (PACE or BAC, files, passive, active and chip authentication) that
# CI allows: the counts plus about 15 %, so that a slower build or algorithm is caught. The P-256
# card's are those of 27 November 2026 (when the RP2040's curve arithmetic went to opt-level "z");
# the other three were set on 4 December 2026, when their transcripts were re-recorded with the
# cards as they are now — DG14 on every card, so each read ends with chip authentication (about
# 107 M instructions on the RP2040 for its brainpoolP256r1 key agreement), and files read by short
# EF identifier. The RP2040's four were re-set on 7 December 2026 when the image got its own
# 64-bit multiply for the M0+ (firmware/reader/src/m0mul.rs; −21 % instructions on the RSA card):
# a build that falls back to compiler-builtins' generic one is caught. All eight were re-set later
# on 7 December 2026, when scalar multiplication and ECDSA verification moved to Jacobian
# coordinates (firmware/core/src/ecc/jacobian.rs; −27 % on the RSA card): a fall back to the
# complete-formula arithmetic is caught. (The QEMU harness draws no key pairs ahead: these
# counts include every scalar multiplication of the read.) The RP2040's two RSA cards were re-set
# once more the same day for RSA by square-and-multiply (src/auth/rsa_public.rs; −9 %); the
# RP2350's stay (its count rose 1.6 %: with a 32×32→64 multiplier num-bigint-dig's Montgomery
# ladder was the cheaper one).
INSN_BUDGET = {
    ("rp2040", "rsa"): 284e6,
    ("rp2040", "ecdsa-p256"): 265e6,
    ("rp2040", "ecdsa-bp256"): 379e6,
    ("rp2040", "bac-only"): 167e6,
    ("rp2350", "rsa"): 94e6,
    ("rp2350", "ecdsa-p256"): 87e6,
    ("rp2350", "ecdsa-bp256"): 113e6,
    ("rp2350", "bac-only"): 67e6,
}
CHIPS = {
    "rp2040": {"cpu": "Cortex-M0+ @ 133 MHz", "mhz": 133, "profile": "rp2040", "qemu": "mps2-an385 (Cortex-M3) running the thumbv6m code"},
    "rp2350": {"cpu": "Cortex-M33 @ 150 MHz", "mhz": 150, "profile": "release", "qemu": "mps2-an505 (Cortex-M33)"},
}
CASES = ["rsa", "ecdsa-p256", "ecdsa-bp256", "bac-only", "tampered-dg13"]
CASE_NOTE = {
    "rsa": "PACE (MRZ) · RSA-2048 DS · RSA AA · CA (ECDH brainpoolP256r1)",
    "ecdsa-p256": "PACE-GM P-256 (CAN) · ECDSA P-256 DS · EC AA · CA",
    "ecdsa-bp256": "PACE brainpoolP256r1 (MRZ) · ECDSA bp256 DS · EC AA · CA (ECDH brainpoolP256r1)",
    "bac-only": "BAC (MRZ, 3DES) · RSA-2048 DS · RSA AA · CA (ECDH brainpoolP256r1)",
    "tampered-dg13": "forged DG13: must come out NOT verified",
}
PHASES = [
    ("session", "session (BAC or PACE)"),
    ("reading", "reading + secure messaging"),
    ("active_auth", "active authentication"),
    ("chip_auth", "chip authentication"),
    ("passive_auth", "passive authentication"),
    ("total", "**whole read**"),
]


def sections(elf):
    out = subprocess.run(["arm-none-eabi-size", "-A", "-d", str(elf)], capture_output=True, text=True, check=True).stdout
    secs = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1].isdigit():
            secs[p[0]] = (int(p[1]), int(p[2]))
    return secs


def image_sizes(elf):
    flash = ram = 0
    for name, (size, addr) in sections(elf).items():
        if name.startswith(".debug") or name in (".comment", ".ARM.attributes", ".defmt", ".symtab", ".strtab", ".shstrtab"):
            continue
        if 0x1000_0000 <= addr < 0x2000_0000:
            flash += size
        elif 0x2000_0000 <= addr < 0x3000_0000:
            ram += size
            if name == ".data":
                flash += size  # initial values live in flash
    return flash, ram


def parse_run(path):
    text = Path(path).read_text(errors="replace")
    cal = re.search(r"^CAL insns=(\d+) ticks=(\d+)", text, re.M)
    per_tick = int(cal.group(1)) / int(cal.group(2)) if cal else None
    m = {}
    for case, phase, ticks in re.findall(r"^M (\S+) (\S+) ticks=(\d+)", text, re.M):
        m[(case, phase)] = int(ticks) * per_tick if per_tick else None
    stats = dict(re.findall(r"^STAT (\S+)=(\d+)", text, re.M))
    for cc, sod, ds in re.findall(r"^RW (\S+) sod=(\S+) ds=(\S+)", text, re.M):
        stats[f"rw.{cc}"] = (sod, ds)
    passed = re.findall(r"^PASS (\S+)", text, re.M)
    failed = re.findall(r"^FAIL (.*)", text, re.M)
    return m, stats, passed, failed


def kib(n):
    return f"{n / 1024:.1f} KB"


def minsn(x):
    return "–" if x is None else f"{x / 1e6:.2f} M"


def ms(x, mhz):
    return "–" if x is None else f"{x / mhz / 1e3:.0f} ms"


def main():
    out, doc = Path(sys.argv[1]), Path(sys.argv[2])
    ok = True
    lines = []
    lines.append("Reproduce: `bash scripts/on-target` (builds both board images and their UF2 files, runs the")
    lines.append("pipeline under QEMU with `-icount shift=0`, checks the limits, rewrites this section).")
    lines.append("")
    lines.append("### Board images")
    lines.append("")
    lines.append("| image | profile | flash | static RAM (.data+.bss) | flash ≤ 256 KB | RAM ≤ 96 KB |")
    lines.append("|---|---|---|---|---|---|")
    for chip in CHIPS:
        flash, ram = image_sizes(out / f"cancuoc-{chip}.elf")
        t_ok = flash <= FLASH_TARGET
        r_ok = ram <= RAM_LIMIT
        ok &= t_ok and r_ok
        lines.append(
            f"| `cancuoc-{chip}` | `{CHIPS[chip]['profile']}` | {kib(flash)} ({flash} bytes) | {kib(ram)} | "
            f"{'ok' if t_ok else '**OVER**'} ({kib(abs(FLASH_TARGET - flash))} {'left' if t_ok else 'over'}) | {'ok' if r_ok else '**OVER**'} |"
        )
    runs = {chip: parse_run(out / f"qemu-{chip}.txt") for chip in CHIPS}
    lines.append("")
    lines.append("### On-target run")
    lines.append("")
    for chip, (m, stats, passed, failed) in runs.items():
        status = "all cases passed" if not failed and len(passed) >= len(CASES) + 1 else "FAILED: " + "; ".join(failed or ["incomplete run"])
        ok &= not failed and len(passed) >= len(CASES) + 1
        lines.append(
            f"- **{chip}** on {CHIPS[chip]['qemu']}: {status} ({', '.join(passed)}); "
            f"stack high-water mark {kib(int(stats.get('stack_peak', 0)))}, "
            f"heap peak {kib(max(int(v) for k, v in stats.items() if k.endswith('.heap_peak')))} "
            f"of {kib(int(stats.get('heap_size', 0)))}."
        )
    lines.append("")
    lines.append("Instructions per phase (QEMU instruction counts) and the time they take at one cycle per")
    lines.append("instruction — a lower bound: loads and taken branches cost two cycles on both cores and")
    lines.append("flash fetches can stall, so expect 1.2–1.5× these times on the boards.")
    lines.append("")
    for case in CASES:
        lines.append(f"**{case}** — {CASE_NOTE[case]}")
        lines.append("")
        lines.append("| phase | RP2040 instructions | RP2040 @133 MHz | RP2350 instructions | RP2350 @150 MHz |")
        lines.append("|---|---|---|---|---|")
        for key, label in PHASES:
            a = runs["rp2040"][0].get((case, key))
            b = runs["rp2350"][0].get((case, key))
            lines.append(f"| {label} | {minsn(a)} | {ms(a, 133)} | {minsn(b)} | {ms(b, 150)} |")
        lines.append("")
    lines.append("Primitives on their own (same bytes):")
    lines.append("")
    lines.append("| primitive | RP2040 instructions | RP2040 @133 MHz | RP2350 instructions | RP2350 @150 MHz |")
    lines.append("|---|---|---|---|---|")
    prims = [
        ("rsa", "sha256_dgs", "SHA-256 over the data groups (%s bytes)" % runs["rp2350"][1].get("rsa.dg_bytes", "?")),
        ("rsa", "sod_signature", "RSA-2048 verify (SOD signature)"),
        ("rsa", "ds_chain", "RSA-2048 verify (DS certificate → CSCA)"),
        ("ecdsa-p256", "sod_signature", "ECDSA P-256 verify (SOD signature)"),
        ("ecdsa-bp256", "sod_signature", "ECDSA brainpoolP256r1 verify (SOD signature)"),
    ]
    for case, key, label in prims:
        a = runs["rp2040"][0].get((case, key))
        b = runs["rp2350"][0].get((case, key))
        lines.append(f"| {label} | {minsn(a)} | {ms(a, 133)} | {minsn(b)} | {ms(b, 150)} |")
    lines.append("")
    lines.append("Instruction budget of a whole read, chip authentication included (CI fails above it; the counts + ≈ 15 %, re-set on 7 December 2026 after the Jacobian scalar multiplication and ECDSA verification of issue 39 (and, for the RP2040's RSA cards, RSA by square-and-multiply); the QEMU harness draws no key pairs ahead, so every scalar multiplication of the read is counted):")
    lines.append("")
    lines.append("| card | RP2040 | budget | RP2350 | budget |")
    lines.append("|---|---|---|---|---|")
    for case in ["rsa", "ecdsa-p256", "ecdsa-bp256", "bac-only"]:
        cells = []
        for chip in CHIPS:
            n = runs[chip][0].get((case, "total"))
            b = INSN_BUDGET[(chip, case)]
            within = n is not None and n <= b
            ok &= within
            cells.append(f"{minsn(n)} {'ok' if within else '**OVER**'} | {b / 1e6:.0f} M")
        lines.append(f"| {case} | {' | '.join(cells)} |")
    lines.append("")
    # Real documents' signatures (tests/fixtures/real-world): what the reader checks itself and
    # at what cost, and what it leaves to the PC.
    rows = {}
    tsv = Path(__file__).resolve().parent.parent / "tests/fixtures/real-world/sod.tsv"
    for line in tsv.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = line.split("\t")
        rows[f[0]] = (f"{f[2]}, {f[3]}", f"{f[4]}")
    rows["VN"] = ("–", "ecdsa-sha512, ec-512-explicit-brainpoolP512r1 (Vietnam's CSCA, self-signed)")
    lines.append("Real documents' signatures on the reader (`tests/fixtures/real-world`: each country's EF.SOD with")
    lines.append("its DS certificate's CSCA, and Vietnam's CSCA). \"PC\" = not in the reader's algorithm set: the")
    lines.append("reader reports it as checked by the PC, which re-verifies every card with the full set. The")
    lines.append("RP2350 time of the two checks the reader does itself must stay within 300 ms (CI fails above):")
    lines.append("")
    lines.append("| country | SOD signature (algorithm, DS key) | RP2040 | RP2350 | DS certificate by CSCA (CSCA key) | RP2040 | RP2350 | reader's own checks, RP2350 |")
    lines.append("|---|---|---:|---:|---|---:|---:|---:|")
    for cc, (sod_alg, csca_key) in rows.items():
        words = runs["rp2350"][1].get(f"rw.{cc}") or runs["rp2040"][1].get(f"rw.{cc}")
        if not words:
            ok = False
            lines.append(f"| {cc} | {sod_alg} | **missing** | | {csca_key} | | | |")
            continue
        cells, own = [], 0.0
        for phase, word, alg in (("rw_sod", words[0], sod_alg), ("rw_ds", words[1], csca_key)):
            cells.append(alg)
            if word == "-":
                cells += ["", ""]
            elif word == "valid":
                a, b = runs["rp2040"][0].get((cc, phase)), runs["rp2350"][0].get((cc, phase))
                own += (b or 0) / 150 / 1e3
                cells += [ms(a, 133), ms(b, 150)]
            else:
                cells += ["PC", "PC"]
        within = own <= 300
        ok &= within
        cells.append(f"{own:.0f} ms" + ("" if within else " **OVER**"))
        lines.append(f"| {cc} | {' | '.join(cells)} |")
    lines.append("")
    lines.append("Verification (passive + active authentication) against the 300 ms goal on the RP2350:")
    lines.append("")
    for case in ["rsa", "ecdsa-p256", "ecdsa-bp256"]:
        v = [runs[c][0].get((case, "passive_auth")) or 0 for c in CHIPS]
        aa = [runs[c][0].get((case, "active_auth")) or 0 for c in CHIPS]
        t2040 = (v[0] + aa[0]) / 133 / 1e3
        t2350 = (v[1] + aa[1]) / 150 / 1e3
        lines.append(f"- {case}: RP2350 {t2350:.0f} ms ({'within' if t2350 <= 300 else 'OVER'} 300 ms at 1 cycle/instruction), RP2040 {t2040:.0f} ms.")
    body = "\n".join(lines)
    print(body)
    text = doc.read_text() if doc.exists() else "# Performance\n"
    begin, end = "<!-- on-target:begin -->", "<!-- on-target:end -->"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n## Reader firmware on its targets (issue 5)\n\n" + block + "\n"
    doc.write_text(text)
    if not ok:
        print("\non-target: FAILED (see above)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
