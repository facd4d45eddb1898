//! The laid-out pages as a PDF (pdf-writer, the typst project's PDF writer): A4, the text in
//! Liberation Serif embedded as a subset (subsetter) — a CID font with Identity-H encoding and a
//! ToUnicode map, so any viewer, printer or `pdftotext` reads the Vietnamese back — streams
//! compressed with Flate. Nothing depends on a font installed on the printing machine.

use std::collections::{BTreeMap, BTreeSet};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::RenderError;
use super::font::{Faces, Style};
use super::layout::{Item, PAGE_MM, Page};

const PT_PER_MM: f32 = 72.0 / 25.4;

fn font_key(s: Style) -> Name<'static> {
    match s {
        Style::Regular => Name(b"F1"),
        Style::Bold => Name(b"F2"),
        Style::Italic => Name(b"F3"),
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// One face's glyphs as used: original glyph id → (new CID, the character it shows).
struct Used {
    remapper: subsetter::GlyphRemapper,
    chars: BTreeMap<u16, char>,
}

/// Writes the pages; `title` goes into the document information. An error names a character
/// the form's font cannot print (no PDF with a box where a letter of a name should be).
pub fn write(pages: &[Page], title: &str, faces: &Faces) -> Result<Vec<u8>, RenderError> {
    // Pass 1: every glyph each face shows.
    let mut used: BTreeMap<Style, Used> = BTreeMap::new();
    let mut missing = BTreeSet::new();
    for page in pages {
        for item in &page.items {
            if let Item::Text { style, text, .. } = item {
                let u = used
                    .entry(*style)
                    .or_insert_with(|| Used { remapper: subsetter::GlyphRemapper::new(), chars: BTreeMap::new() });
                for c in text.chars() {
                    match faces.get(*style).glyph(c) {
                        Some(g) => {
                            let g = g.to_u32() as u16;
                            let cid = u.remapper.remap(g);
                            u.chars.entry(cid).or_insert(c);
                        }
                        None => {
                            missing.insert(c);
                        }
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(RenderError::MissingGlyphs(missing.into_iter().collect()));
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let mut font_refs: BTreeMap<Style, Ref> = BTreeMap::new();
    for (style, u) in &used {
        let (type0, cid, descr, file, cmap) = (alloc(), alloc(), alloc(), alloc(), alloc());
        font_refs.insert(*style, type0);
        let face = faces.get(*style);
        let subset = subsetter::subset(style.bytes(), 0, &u.remapper)
            .map_err(|e| RenderError::Subset { face: style.postscript_name(), why: format!("{e:?}") })?;
        // A subset's name: six capitals from the glyph set (PDF 32000-1 §9.6.4).
        let tag: String = {
            let mut h: u32 = 2166136261;
            for (cid, c) in &u.chars {
                h = (h ^ (*cid as u32) ^ (*c as u32)).wrapping_mul(16777619);
            }
            (0..6).map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8)).collect()
        };
        let base = format!("{tag}+{}", style.postscript_name());
        let sys = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        pdf.type0_font(type0)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut widths = vec![0.0f32; u.remapper.num_gids() as usize];
        for old in u.remapper.remapped_gids() {
            if let Some(new) = u.remapper.get(old) {
                widths[new as usize] = face.advance(skrifa::GlyphId::new(u32::from(old)));
            }
        }
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(Name(base.as_bytes()))
            .system_info(sys)
            .font_descriptor(descr)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        c.widths().consecutive(0, widths);
        c.finish();
        let d = face.descriptor();
        let mut flags = FontFlags::SERIF | FontFlags::NON_SYMBOLIC;
        if *style == Style::Italic {
            flags |= FontFlags::ITALIC;
        }
        pdf.font_descriptor(descr)
            .name(Name(base.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(d.bbox[0], d.bbox[1], d.bbox[2], d.bbox[3]))
            .italic_angle(d.italic_angle)
            .ascent(d.ascent)
            .descent(d.descent)
            .cap_height(d.cap_height)
            .stem_v(if *style == Style::Bold { 140.0 } else { 80.0 })
            .font_file2(file);
        let packed = deflate(&subset);
        pdf.stream(file, &packed).filter(Filter::FlateDecode).pair(Name(b"Length1"), subset.len() as i32);
        let mut map = UnicodeCmap::<u16>::new(Name(b"Custom"), sys);
        for (cid, ch) in &u.chars {
            map.pair(*cid, *ch);
        }
        let map = map.finish();
        pdf.cmap(cmap, &map);
    }

    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    pdf.catalog(catalog).pages(tree).lang(TextStr("vi"));
    pdf.pages(tree).kids(page_refs.iter().map(|p| p.0)).count(pages.len() as i32);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("cancuoc"));
    let (w, h) = (PAGE_MM.0 * PT_PER_MM, PAGE_MM.1 * PT_PER_MM);
    for (page, (page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut p = pdf.page(*page_ref);
        p.media_box(Rect::new(0.0, 0.0, w, h)).parent(tree).contents(*content_ref);
        let mut res = p.resources();
        let mut fonts = res.fonts();
        for (style, r) in &font_refs {
            fonts.pair(font_key(*style), *r);
        }
        fonts.finish();
        res.finish();
        p.finish();
        let mut c = Content::new();
        c.set_line_width(0.5);
        for item in &page.items {
            match item {
                Item::Text { x, y, size, style, text } => {
                    let u = &used[style];
                    let mut bytes = Vec::with_capacity(text.len() * 2);
                    for ch in text.chars() {
                        // Every character was mapped in pass 1.
                        let cid =
                            faces.get(*style).glyph(ch).and_then(|g| u.remapper.get(g.to_u32() as u16)).unwrap_or(0);
                        bytes.extend_from_slice(&cid.to_be_bytes());
                    }
                    c.begin_text();
                    c.set_font(font_key(*style), *size);
                    c.next_line(x * PT_PER_MM, h - y * PT_PER_MM);
                    c.show(Str(&bytes));
                    c.end_text();
                }
                Item::Line { x1, y1, x2, y2, dotted } => {
                    if *dotted {
                        c.set_dash_pattern([0.6, 1.6], 0.0);
                    }
                    c.move_to(x1 * PT_PER_MM, h - y1 * PT_PER_MM);
                    c.line_to(x2 * PT_PER_MM, h - y2 * PT_PER_MM);
                    c.stroke();
                    if *dotted {
                        c.set_dash_pattern([], 0.0);
                    }
                }
                Item::Rect { x, y, w: rw, h: rh } => {
                    c.rect(x * PT_PER_MM, h - (y + rh) * PT_PER_MM, rw * PT_PER_MM, rh * PT_PER_MM);
                    c.stroke();
                }
            }
        }
        let data = deflate(&c.finish());
        pdf.stream(*content_ref, &data).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}
