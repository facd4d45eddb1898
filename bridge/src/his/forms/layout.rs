//! The A4 page of a filled form, laid out once and drawn twice: into the PDF ([`super::pdf`]) and
//! on the desk app's screen before printing, so what the clerk checks is what prints.
//!
//! The layout is the common one of the official forms (shared/forms.md "Common layout"): the
//! "Mẫu … ban hành kèm theo …" line, the national motto with its rule, the bold capital title,
//! "Kính gửi", the fields (numbered or plain, under their section headings, a two-person form
//! as a table [Thông tin | Bên nữ | Bên nam]) with dotted lines where nothing is filled, the ID
//! number in 12 boxes, then the commitment, "…, ngày … tháng … năm …" and the signature blocks.
//! Coordinates are millimetres from the page's top-left corner; a text's `y` is its baseline.

use std::collections::BTreeMap;

use super::font::{Faces, MM_PER_PT, Style, nfc};
use super::{Form, FormField};

/// A4 in millimetres.
pub const PAGE_MM: (f32, f32) = (210.0, 297.0);

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Text { x: f32, y: f32, size: f32, style: Style, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, dotted: bool },
    Rect { x: f32, y: f32, w: f32, h: f32 },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
}

impl Page {
    /// Every text on the page, in drawing order (tests, the accessibility of the preview).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match i {
            Item::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
    }
}

/// The signing date printed in "ngày … tháng … năm …" (day, month, year); `None` leaves dots.
pub type Date = Option<(u32, u32, i32)>;

struct Pen<'f> {
    faces: &'f Faces,
    pages: Vec<Page>,
    y: f32,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    size: f32,
}

const DOTS: &str = "……";

impl Pen<'_> {
    fn width(&self) -> f32 {
        self.right - self.left
    }
    fn lh(size: f32) -> f32 {
        size * 1.38 * MM_PER_PT
    }
    fn items(&mut self) -> &mut Vec<Item> {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last].items
    }
    /// Keeps `h` millimetres together: a new page when they do not fit.
    fn need(&mut self, h: f32) {
        if self.y + h > PAGE_MM.1 - self.bottom && self.y > self.top + 1.0 {
            self.pages.push(Page::default());
            self.y = self.top;
        }
    }
    /// Moves to the next line's baseline.
    fn next_line(&mut self, size: f32) -> f32 {
        let lh = Self::lh(size);
        self.need(lh);
        self.y += lh;
        self.y
    }
    fn gap(&mut self, mm: f32) {
        self.y += mm;
    }
    fn text(&mut self, x: f32, y: f32, size: f32, style: Style, text: &str) {
        if !text.is_empty() {
            self.items().push(Item::Text { x, y, size, style, text: text.to_string() });
        }
    }
    fn dots(&mut self, x1: f32, x2: f32, y: f32) {
        if x2 - x1 > 3.0 {
            self.items().push(Item::Line { x1, y1: y + 0.6, x2, y2: y + 0.6, dotted: true });
        }
    }
    fn w(&self, style: Style, size: f32, text: &str) -> f32 {
        self.faces.get(style).width_mm(text, size)
    }
    /// Greedy word wrap: the first line `first` wide, the rest `rest`; a word wider than a line
    /// is broken between characters.
    fn wrap(&self, style: Style, size: f32, text: &str, first: f32, rest: f32) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut cur = String::new();
        let limit = |n: usize| if n == 0 { first } else { rest };
        for word in text.split_whitespace() {
            let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
            if self.w(style, size, &candidate) <= limit(lines.len()) {
                cur = candidate;
                continue;
            }
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            // The word alone, broken if it has to be.
            for c in word.chars() {
                let mut next = cur.clone();
                next.push(c);
                if !cur.is_empty() && self.w(style, size, &next) > limit(lines.len()) {
                    lines.push(std::mem::take(&mut cur));
                    cur.push(c);
                } else {
                    cur = next;
                }
            }
        }
        if !cur.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        lines
    }
    /// Lines centred between `x1` and `x2`.
    fn centred(&mut self, x1: f32, x2: f32, size: f32, style: Style, text: &str) {
        for line in self.wrap(style, size, text, x2 - x1, x2 - x1) {
            let y = self.next_line(size);
            let w = self.w(style, size, &line);
            self.text(x1 + (x2 - x1 - w) / 2.0, y, size, style, &line);
        }
    }
    /// "label: value" with the value wrapped under it and dots where nothing is filled.
    fn labelled(&mut self, label: &str, value: &str, extra_lines: usize) {
        let size = self.size;
        let y = self.next_line(size);
        let (left, right) = (self.left, self.right);
        self.text(left, y, size, Style::Regular, label);
        let lw = self.w(Style::Regular, size, label);
        if value.trim().is_empty() {
            self.dots(left + lw, right, y);
            for _ in 0..extra_lines {
                let y = self.next_line(size);
                self.dots(left, right, y);
            }
            return;
        }
        let lines = self.wrap(Style::Regular, size, value, (right - left - lw).max(20.0), right - left);
        let mut x = left + lw;
        let mut y = y;
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                y = self.next_line(size);
                x = left;
            }
            if i == 0 && right - left - lw < 20.0 {
                y = self.next_line(size);
                x = left;
            }
            self.text(x, y, size, Style::Regular, line);
            if i + 1 == n {
                let end = x + self.w(Style::Regular, size, line) + 1.5;
                self.dots(end, right, y);
            }
        }
    }
    /// "label: [0][7][9]…" — the ID number in separate boxes.
    fn boxed(&mut self, label: &str, value: &str, boxes: usize) {
        let size = self.size;
        let (bw, bh) = (5.2, 6.2);
        let y = self.next_line(size) + 1.0;
        self.y = y;
        let (left, right) = (self.left, self.right);
        self.text(left, y, size, Style::Regular, label);
        let lw = self.w(Style::Regular, size, label);
        let mut x = left + lw + 1.0;
        let mut y = y;
        if x + bw * boxes as f32 > right {
            y = self.next_line(size) + 1.0;
            self.y = y;
            x = left;
        }
        let digits: Vec<char> = value.chars().filter(|c| !c.is_whitespace()).collect();
        for i in 0..boxes {
            let bx = x + bw * i as f32;
            self.items().push(Item::Rect { x: bx, y: y - bh + 1.6, w: bw, h: bh });
            if let Some(c) = digits.get(i) {
                let s = c.to_string();
                let cw = self.w(Style::Regular, size, &s);
                self.text(bx + (bw - cw) / 2.0, y, size, Style::Regular, &s);
            }
        }
        self.gap(1.0);
    }
}

/// The value a field prints: what the caller filled, else nothing.
fn value<'v>(values: &'v BTreeMap<String, String>, f: &FormField) -> &'v str {
    values.get(&f.id).map_or("", String::as_str)
}

/// Lays out the form with these values (field id → text, NFC-normalised here).
pub fn layout(form: &Form, values: &BTreeMap<String, String>, date: Date, faces: &Faces) -> Vec<Page> {
    let values: BTreeMap<String, String> = values.iter().map(|(k, v)| (k.clone(), nfc(v))).collect();
    let l = &form.layout;
    let [top, right, bottom, left] = l.margins_mm;
    let mut pen = Pen {
        faces,
        pages: vec![Page::default()],
        y: top - 4.0,
        left,
        right: PAGE_MM.0 - right,
        top,
        bottom,
        size: l.font_pt,
    };
    let (x1, x2) = (pen.left, pen.right);
    // "Mẫu … ban hành kèm theo …", right-aligned, small italic.
    for line in pen.wrap(Style::Italic, 10.0, &l.top_line, pen.width() * 0.6, pen.width() * 0.6) {
        let y = pen.next_line(10.0);
        let w = pen.w(Style::Italic, 10.0, &line);
        pen.text(x2 - w, y, 10.0, Style::Italic, &line);
    }
    pen.gap(2.0);
    pen.centred(x1, x2, 13.0, Style::Bold, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    pen.centred(x1, x2, 13.0, Style::Bold, "Độc lập - Tự do - Hạnh phúc");
    let rule = pen.w(Style::Bold, 13.0, "Độc lập - Tự do - Hạnh phúc");
    let (mid, y) = ((x1 + x2) / 2.0, pen.y + 1.6);
    pen.items().push(Item::Line { x1: mid - rule / 2.0, y1: y, x2: mid + rule / 2.0, y2: y, dotted: false });
    pen.gap(6.0);
    let title = l.title.clone().unwrap_or_else(|| form.name_vi.to_uppercase());
    pen.centred(x1, x2, l.title_pt, Style::Bold, &title);
    pen.gap(3.0);

    let place_field = l.place_field.as_deref();
    let mut number = 0;
    let mut section: Option<&str> = None;
    let mut table_done = false;
    for f in &form.fields {
        if Some(f.id.as_str()) == place_field {
            continue;
        }
        let in_table = l.columns && f.section.as_deref().is_some_and(|s| form.people.iter().any(|p| p == s));
        if in_table {
            if !table_done {
                table(&mut pen, form, &values);
                table_done = true;
            }
            continue;
        }
        if f.section.as_deref() != section {
            section = f.section.as_deref();
            if let Some(s) = section {
                pen.gap(1.0);
                let y = pen.next_line(pen.size);
                pen.text(x1, y, pen.size, Style::Bold, s);
            }
        }
        let label = if f.id == "kinh_gui" || !l.numbered {
            format!("{}: ", f.label)
        } else {
            number += 1;
            format!("{number}. {}: ", f.label)
        };
        let v = value(&values, f);
        match f.boxes {
            Some(n) => pen.boxed(&label, v, n),
            None => pen.labelled(&label, v, f.lines.unwrap_or(1).saturating_sub(1)),
        }
        if f.id == "kinh_gui" {
            pen.gap(2.0);
        }
    }
    ending(&mut pen, form, &values, date);
    pen.pages
}

/// The two people's fields side by side: [Thông tin | people[0] | people[1]].
fn table(pen: &mut Pen, form: &Form, values: &BTreeMap<String, String>) {
    let size = pen.size;
    let pad = 1.5;
    let (x1, x2) = (pen.left, pen.right);
    let lw = 42.0;
    let cw = (x2 - x1 - lw) / 2.0;
    let lh = Pen::lh(size);
    let side =
        |p: &str| -> Vec<&FormField> { form.fields.iter().filter(|f| f.section.as_deref() == Some(p)).collect() };
    let role = |i: usize| form.people.get(i).cloned().unwrap_or_default();
    let (a, b) = (side(&role(0)), side(&role(1)));
    let mut rows: Vec<(String, String, String, Style)> = vec![("Thông tin".into(), role(0), role(1), Style::Bold)];
    for i in 0..a.len().max(b.len()) {
        let label = a.get(i).or(b.get(i)).map_or(String::new(), |f| f.label.clone());
        let va = a.get(i).map_or(String::new(), |f| value(values, f).to_string());
        let vb = b.get(i).map_or(String::new(), |f| value(values, f).to_string());
        rows.push((label, va, vb, Style::Regular));
    }
    pen.gap(2.0);
    for (label, va, vb, style) in rows {
        let cells = [
            (x1, lw, pen.wrap(style, size, &label, lw - 2.0 * pad, lw - 2.0 * pad)),
            (x1 + lw, cw, pen.wrap(style, size, &va, cw - 2.0 * pad, cw - 2.0 * pad)),
            (x1 + lw + cw, cw, pen.wrap(style, size, &vb, cw - 2.0 * pad, cw - 2.0 * pad)),
        ];
        let n = cells.iter().map(|c| c.2.len()).max().unwrap_or(1).max(1);
        let h = n as f32 * lh + 2.0 * pad;
        pen.need(h);
        let top = pen.y;
        for (i, (x, w, lines)) in cells.iter().enumerate() {
            pen.items().push(Item::Rect { x: *x, y: top, w: *w, h });
            let mut y = top + pad;
            let empty = lines.iter().all(|l| l.is_empty());
            for line in lines {
                y += lh;
                let tx = if style == Style::Bold { x + (w - pen.w(style, size, line)) / 2.0 } else { x + pad };
                pen.text(tx, y - 1.2, size, style, line);
            }
            if empty && i > 0 {
                pen.dots(x + pad, x + w - pad, top + pad + lh - 1.2);
            }
        }
        pen.y = top + h;
    }
    pen.gap(1.0);
}

/// The commitment, the place and date, the signature blocks (kept on one page).
fn ending(pen: &mut Pen, form: &Form, values: &BTreeMap<String, String>, date: Date) {
    let l = &form.layout;
    let size = pen.size;
    let (x1, x2) = (pen.left, pen.right);
    if let Some(c) = &l.commitment {
        pen.gap(2.0);
        let lines = pen.wrap(Style::Regular, size, c, x2 - x1 - 10.0, x2 - x1);
        for (i, line) in lines.iter().enumerate() {
            let y = pen.next_line(size);
            pen.text(if i == 0 { x1 + 10.0 } else { x1 }, y, size, Style::Regular, line);
        }
    }
    if let Some(note) = values.get(super::OVERRIDE_NOTE) {
        pen.gap(2.0);
        let text = format!("Điền khi thẻ chưa xác thực — lý do: {note}");
        for line in pen.wrap(Style::Italic, size, &text, x2 - x1, x2 - x1) {
            let y = pen.next_line(size);
            pen.text(x1, y, size, Style::Italic, &line);
        }
    }
    let sig_lines =
        l.signatures.iter().map(|s| pen.wrap(Style::Bold, size, &s.caption, 40.0, 40.0).len()).max().unwrap_or(1);
    pen.gap(3.0);
    pen.need(Pen::lh(size) * (sig_lines as f32 + 3.0) + 20.0);
    let place = place_field_value(form, values);
    let when = match date {
        Some((d, m, y)) => format!("ngày {d:02} tháng {m:02} năm {y}"),
        None => format!("ngày {DOTS} tháng {DOTS} năm {DOTS}"),
    };
    let line = format!("{}, {when}", if place.is_empty() { DOTS } else { place });
    let half = (x1 + x2) / 2.0;
    pen.centred(if l.signatures.len() > 2 { x1 } else { half - 10.0 }, x2, size, Style::Italic, &line);
    let n = l.signatures.len().max(1);
    let (sx1, colw) = if n == 1 { (half - 10.0, x2 - half + 10.0) } else { (x1, (x2 - x1) / n as f32) };
    let y0 = pen.y;
    let mut bottom = y0;
    for (i, s) in l.signatures.iter().enumerate() {
        pen.y = y0;
        let (a, b) = (sx1 + colw * i as f32, sx1 + colw * (i as f32 + 1.0));
        let cap_size = if n > 2 { size - 2.0 } else { size };
        pen.centred(a + 1.0, b - 1.0, cap_size, Style::Bold, &s.caption);
        pen.centred(a + 1.0, b - 1.0, cap_size - 1.0, Style::Italic, "(Ký, ghi rõ họ, chữ đệm, tên)");
        pen.gap(18.0);
        let name = s.person.and_then(|p| {
            form.fields
                .iter()
                .find(|f| f.person == p && f.chip.as_deref() == Some("full_name"))
                .map(|f| value(values, f))
                .filter(|v| !v.is_empty())
        });
        if let Some(name) = name {
            let name = name.to_string();
            pen.centred(a + 1.0, b - 1.0, cap_size, Style::Bold, &name);
        }
        bottom = bottom.max(pen.y);
    }
    pen.y = bottom;
}

fn place_field_value<'v>(form: &Form, values: &'v BTreeMap<String, String>) -> &'v str {
    form.layout.place_field.as_deref().and_then(|p| values.get(p)).map_or("", |s| s.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_unbroken_value_wraps_inside_the_margins_and_nothing_leaves_the_page() {
        let faces = Faces::load().expect("fonts");
        let form = crate::his::forms::catalogue().expect("catalogue").remove(0);
        let mut values = BTreeMap::new();
        values.insert("full_name".to_string(), "NGUYỄN".repeat(40));
        values.insert("request".to_string(), "Đăng ký thường trú tại nhà số 12 ngõ 34 ".repeat(12));
        let pages = layout(&form, &values, Some((3, 12, 2026)), &faces);
        let [_, right, bottom, left] = form.layout.margins_mm;
        for p in &pages {
            for i in &p.items {
                if let Item::Text { x, y, size, style, text } = i {
                    let w = faces.get(*style).width_mm(text, *size);
                    assert!(*x >= left - 0.01 && x + w <= PAGE_MM.0 - right + 0.01, "{text:?} at {x}+{w}");
                    assert!(*y <= PAGE_MM.1 - bottom + 0.01, "{text:?} below the margin at {y}");
                }
            }
        }
        let all: String = pages.iter().flat_map(|p| p.texts()).collect();
        assert!(all.matches("NGUYỄN").count() >= 39, "the whole name is printed, broken across lines");
    }
}
