//! The units table checked for consistency before it is used: a table that breaks one of these
//! rules is refused whole ([`DataError::Check`] names the first broken rule), never half-used.

use std::collections::HashMap;

use super::{DataError, Units};

impl Units {
    /// The table's consistency: the header's counts, every unit's parent known, every old
    /// commune mapped or listed as an exception, every mapping between known units.
    pub(super) fn check(&self, expect: &HashMap<String, usize>) -> Result<(), DataError> {
        let fail = |s: String| Err(DataError::Check(s));
        if self.version.is_empty() || self.effective.is_empty() {
            return fail("no @version or @effective".into());
        }
        for (what, have) in [
            ("provinces", self.provinces.len()),
            ("communes", self.communes.len()),
            ("old_provinces", self.old_provinces.len()),
            ("old_districts", self.old_districts.len()),
            ("old_communes", self.old_communes.len()),
        ] {
            if let Some(&want) = expect.get(what)
                && want != have
            {
                return fail(format!("{have} {what}, the header says {want}"));
            }
        }
        if self.provinces.is_empty() || self.communes.is_empty() {
            return fail("no provinces or communes".into());
        }
        for c in self.communes.values() {
            if !self.provinces.contains_key(&c.province) {
                return fail(format!("commune {} is in unknown province {}", c.code, c.province));
            }
        }
        for d in self.old_districts.values() {
            if !self.old_provinces.contains_key(&d.province) {
                return fail(format!("old district {} is in unknown old province {}", d.code, d.province));
            }
        }
        for c in self.old_communes.values() {
            if !self.old_districts.contains_key(&c.district) {
                return fail(format!("old commune {} is in unknown old district {}", c.code, c.district));
            }
            if !self.mapping.contains_key(&c.code) && !self.exceptions.contains_key(&c.code) {
                return fail(format!("old commune {} ({}) is neither mapped nor a listed exception", c.code, c.name));
            }
        }
        for (src, rows) in &self.mapping {
            let known = match src.strip_prefix('D') {
                Some(d) => self.old_districts.contains_key(d),
                None => self.old_communes.contains_key(src),
            };
            if !known {
                return fail(format!("mapping from unknown old unit {src}"));
            }
            for (dst, _) in rows {
                if !self.communes.contains_key(dst) {
                    return fail(format!("mapping from {src} to unknown commune {dst}"));
                }
            }
        }
        for x in self.exceptions.keys() {
            if !self.old_communes.contains_key(x) {
                return fail(format!("exception for unknown old commune {x}"));
            }
        }
        Ok(())
    }
}
