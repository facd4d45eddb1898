//! `cancuoc address "TEXT"`: an address as a card holds it, in today's administrative units.

use std::path::PathBuf;

use cancuoc_bridge::address::{self, Status, Units};
use cancuoc_bridge::words::Lang;

#[derive(clap::Args)]
#[command(after_help = "Exit codes: 0 one commune of today (exact, or already in today's units), 1 several (a person \
chooses), 3 not found (the text is kept), 2 usage error or a table file that cannot be used.")]
pub struct AddressArgs {
    /// The address as the card holds it, e.g. "Số 12 Ngõ 34 Phố Hàng Bạc, Phường Hàng Đào, Quận
    /// Hoàn Kiếm, Hà Nội".
    #[arg(required_unless_present = "install")]
    text: Option<String>,
    /// Print JSON: {status, old, candidates} (for scripts).
    #[arg(long)]
    json: bool,
    /// Use this table file (the `admin-units.tsv` format) instead of the one in force.
    #[arg(long, value_name = "FILE")]
    units: Option<PathBuf>,
    /// Check a new table file (from `scripts/admin-units`) and install it for every program on
    /// this PC (docs/address.md, "Updating the data").
    #[arg(long, value_name = "FILE", conflicts_with_all = ["text", "units"])]
    install: Option<PathBuf>,
}

pub fn run(a: AddressArgs) -> u8 {
    if let Some(file) = a.install {
        return match address::install(&file) {
            Ok(v) => {
                println!(
                    "Đã cài bảng đơn vị hành chính {v} / installed table {v}: {}",
                    address::installed_path().display()
                );
                0
            }
            Err(e) => {
                eprintln!("Không dùng được bảng này / cannot use this table: {e}");
                2
            }
        };
    }
    let loaded;
    let units: &Units = match &a.units {
        Some(f) => match Units::from_file(f) {
            Ok(u) => {
                loaded = u;
                &loaded
            }
            Err(e) => {
                eprintln!("Không dùng được bảng này / cannot use this table: {e}");
                return 2;
            }
        },
        None => address::units(),
    };
    let text = a.text.unwrap_or_default();
    let l = units.lookup(&text);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&l).unwrap_or_default());
    } else {
        println!("Địa chỉ trên thẻ (on the card):   {}", l.text);
        if let Some(o) = &l.old {
            let part = |n: &Option<String>, c: &Option<String>| match (n, c) {
                (Some(n), Some(c)) => Some(format!("{n} ({c})")),
                _ => None,
            };
            let units: Vec<String> = [
                part(&o.commune, &o.commune_code),
                part(&o.district, &o.district_code),
                part(&o.province, &o.province_code),
            ]
            .into_iter()
            .flatten()
            .collect();
            println!("Đơn vị cũ (old units):            {}", units.join(", "));
        }
        match l.status {
            Status::Exact | Status::AlreadyCurrent => {
                println!("Theo đơn vị hành chính mới (today): {}", l.today(None).unwrap_or_default());
                println!("                                  {}", address::describe(&l, Lang::Vi));
            }
            Status::Ambiguous => {
                println!("Xã/phường cũ đã chia cho nhiều xã/phường mới — hỏi người dân đang ở đâu");
                println!("(the old commune was split — ask the citizen which one):");
                for (i, c) in l.candidates.iter().enumerate() {
                    println!("  {}. {}, {} ({}, {})", i + 1, c.name, c.province, c.code, c.province_code);
                }
            }
            Status::NotFound => println!("{}", address::describe(&l, Lang::Vi)),
        }
        println!("Bảng đơn vị hành chính (table):   {}", units.version);
    }
    match l.status {
        Status::Exact | Status::AlreadyCurrent => 0,
        Status::Ambiguous => 1,
        Status::NotFound => 3,
    }
}
