//! The few operations the two networks use, on one image at a time in TensorFlow's layout
//! (height × width × channels) and with TensorFlow's conventions for padding and scaling, so
//! that the results agree with the reference implementation (face-api under TensorFlow.js).

/// A feature map: `h × w × c` values, channel fastest.
#[derive(Clone, Debug)]
pub struct Map {
    /// Rows.
    pub h: usize,
    /// Columns.
    pub w: usize,
    /// Channels.
    pub c: usize,
    /// `h·w·c` values.
    pub data: Vec<f32>,
}

/// Zero rows and columns added around a map before a convolution.
#[derive(Clone, Copy, Debug)]
pub struct Pad {
    /// Rows above.
    pub top: usize,
    /// Columns to the left.
    pub left: usize,
    /// Rows below.
    pub bottom: usize,
    /// Columns to the right.
    pub right: usize,
}

impl Pad {
    /// No padding (TensorFlow's "valid").
    pub const NONE: Pad = Pad { top: 0, left: 0, bottom: 0, right: 0 };
    /// One on every side (TensorFlow's "same" for a 3×3 kernel at stride 1).
    pub const ONE: Pad = Pad { top: 1, left: 1, bottom: 1, right: 1 };
}

/// A convolution's kernel, `kh × kw × cin × cout` (TensorFlow's order), and its shape.
pub struct Kernel {
    /// Kernel rows.
    pub kh: usize,
    /// Kernel columns.
    pub kw: usize,
    /// Output channels.
    pub cout: usize,
    /// The values.
    pub values: Vec<f32>,
}

/// A convolution as one matrix product: each output position's input patch (im2col) times the
/// kernel matrix (`kh·kw·cin` rows, `cout` columns).
pub fn conv2d(x: &Map, k: &Kernel, stride: usize, pad: Pad) -> Map {
    let (ph, pw) = (x.h + pad.top + pad.bottom, x.w + pad.left + pad.right);
    let (oh, ow) = (ph.saturating_sub(k.kh) / stride + 1, pw.saturating_sub(k.kw) / stride + 1);
    let depth = k.kh * k.kw * x.c;
    let mut patches = vec![0f32; oh * ow * depth];
    for oy in 0..oh {
        for ox in 0..ow {
            let row = &mut patches[(oy * ow + ox) * depth..][..depth];
            for ky in 0..k.kh {
                let Some(iy) = (oy * stride + ky).checked_sub(pad.top).filter(|&iy| iy < x.h) else { continue };
                for kx in 0..k.kw {
                    let Some(ix) = (ox * stride + kx).checked_sub(pad.left).filter(|&ix| ix < x.w) else { continue };
                    let from = &x.data[(iy * x.w + ix) * x.c..][..x.c];
                    row[(ky * k.kw + kx) * x.c..][..x.c].copy_from_slice(from);
                }
            }
        }
    }
    let mut out = vec![0f32; oh * ow * k.cout];
    let (m, kk, n) = (oh * ow, depth, k.cout);
    assert_eq!(k.values.len(), kk * n, "kernel shape");
    // SAFETY: the three slices hold m×kk, kk×n and m×n values, laid out row-major with the
    // strides given (checked above and by construction).
    unsafe {
        matrixmultiply::sgemm(
            m,
            kk,
            n,
            1.0,
            patches.as_ptr(),
            kk as isize,
            1,
            k.values.as_ptr(),
            n as isize,
            1,
            0.0,
            out.as_mut_ptr(),
            n as isize,
            1,
        );
    }
    Map { h: oh, w: ow, c: n, data: out }
}

/// A 3×3 depthwise convolution with one zero row and column on each side (the separable
/// convolutions of the face detector); the kernel is `3 × 3 × c × 1`.
pub fn depthwise3x3(x: &Map, k: &[f32]) -> Map {
    let mut out = vec![0f32; x.data.len()];
    for y in 0..x.h {
        for xx in 0..x.w {
            let o = &mut out[(y * x.w + xx) * x.c..][..x.c];
            for ky in 0..3 {
                let Some(iy) = (y + ky).checked_sub(1).filter(|&iy| iy < x.h) else { continue };
                for kx in 0..3 {
                    let Some(ix) = (xx + kx).checked_sub(1).filter(|&ix| ix < x.w) else { continue };
                    let input = &x.data[(iy * x.w + ix) * x.c..][..x.c];
                    let weights = &k[(ky * 3 + kx) * x.c..][..x.c];
                    for ((o, i), w) in o.iter_mut().zip(input).zip(weights) {
                        *o += i * w;
                    }
                }
            }
        }
    }
    Map { h: x.h, w: x.w, c: x.c, data: out }
}

/// Adds a value per channel.
pub fn add_channels(x: &mut Map, bias: &[f32]) {
    for px in x.data.chunks_exact_mut(x.c) {
        for (v, b) in px.iter_mut().zip(bias) {
            *v += b;
        }
    }
}

/// Multiplies by a value per channel, then adds one (a folded batch normalisation).
pub fn scale_channels(x: &mut Map, weights: &[f32], biases: &[f32]) {
    for px in x.data.chunks_exact_mut(x.c) {
        for ((v, w), b) in px.iter_mut().zip(weights).zip(biases) {
            *v = *v * w + b;
        }
    }
}

/// max(0, x).
pub fn relu(x: &mut Map) {
    x.data.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// The detector's leaky rectifier, written as face-api writes it: relu(x − 0.1x) + 0.1x.
pub fn leaky(x: &mut Map) {
    x.data.iter_mut().for_each(|v| {
        let min = *v * 0.1;
        *v = (*v - min).max(0.0) + min;
    });
}

/// Max pooling. `same` follows TensorFlow: ⌈in/stride⌉ outputs, the window's missing rows and
/// columns (split before/after, the extra one after) left out of the maximum.
pub fn max_pool(x: &Map, size: usize, stride: usize, same: bool) -> Map {
    let dims = |len: usize| {
        if same {
            let out = len.div_ceil(stride);
            let total = ((out - 1) * stride + size).saturating_sub(len);
            (out, total / 2)
        } else {
            ((len - size) / stride + 1, 0)
        }
    };
    let ((oh, pt), (ow, pl)) = (dims(x.h), dims(x.w));
    let mut out = vec![f32::NEG_INFINITY; oh * ow * x.c];
    for oy in 0..oh {
        for ox in 0..ow {
            let o = &mut out[(oy * ow + ox) * x.c..][..x.c];
            for ky in 0..size {
                let Some(iy) = (oy * stride + ky).checked_sub(pt).filter(|&iy| iy < x.h) else { continue };
                for kx in 0..size {
                    let Some(ix) = (ox * stride + kx).checked_sub(pl).filter(|&ix| ix < x.w) else { continue };
                    for (o, i) in o.iter_mut().zip(&x.data[(iy * x.w + ix) * x.c..][..x.c]) {
                        *o = o.max(*i);
                    }
                }
            }
        }
    }
    Map { h: oh, w: ow, c: x.c, data: out }
}

/// 2×2 average pooling at stride 2, "valid" (a last odd row or column is dropped).
pub fn avg_pool2(x: &Map) -> Map {
    let (oh, ow) = ((x.h - 2) / 2 + 1, (x.w - 2) / 2 + 1);
    let mut out = vec![0f32; oh * ow * x.c];
    for oy in 0..oh {
        for ox in 0..ow {
            let o = &mut out[(oy * ow + ox) * x.c..][..x.c];
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let i = &x.data[((2 * oy + dy) * x.w + 2 * ox + dx) * x.c..][..x.c];
                o.iter_mut().zip(i).for_each(|(o, i)| *o += i * 0.25);
            }
        }
    }
    Map { h: oh, w: ow, c: x.c, data: out }
}

/// Bilinear scaling as TensorFlow's `resizeBilinear` without corner alignment or half-pixel
/// centres: output row `r` samples input row `r · in/out`.
pub fn resize_bilinear(x: &Map, oh: usize, ow: usize) -> Map {
    let axis = |out: usize, len: usize| -> Vec<(usize, usize, f32)> {
        let scale = len as f32 / out as f32;
        (0..out)
            .map(|o| {
                let src = o as f32 * scale;
                let lo = (src.floor() as usize).min(len - 1);
                let hi = (src.ceil() as usize).min(len - 1);
                (lo, hi, src - lo as f32)
            })
            .collect()
    };
    let (rows, cols) = (axis(oh, x.h), axis(ow, x.w));
    let mut out = Vec::with_capacity(oh * ow * x.c);
    let at = |y: usize, xx: usize, ch: usize| x.data[(y * x.w + xx) * x.c + ch];
    for &(y0, y1, fy) in &rows {
        for &(x0, x1, fx) in &cols {
            for ch in 0..x.c {
                let top = at(y0, x0, ch) + (at(y0, x1, ch) - at(y0, x0, ch)) * fx;
                let bottom = at(y1, x0, ch) + (at(y1, x1, ch) - at(y1, x0, ch)) * fx;
                out.push(top + (bottom - top) * fy);
            }
        }
    }
    Map { h: oh, w: ow, c: x.c, data: out }
}

/// The map mirrored left to right.
pub fn mirror(x: &Map) -> Map {
    let mut data = Vec::with_capacity(x.data.len());
    for row in x.data.chunks_exact(x.w * x.c) {
        for px in row.chunks_exact(x.c).rev() {
            data.extend_from_slice(px);
        }
    }
    Map { h: x.h, w: x.w, c: x.c, data }
}

/// Pads a map to a square with zeros: after the image (`centre` false) or on both sides with
/// the larger half after (`centre` true) — face-api's `padToSquare`.
pub fn pad_to_square(x: &Map, centre: bool) -> Map {
    if x.h == x.w {
        return x.clone();
    }
    let diff = x.h.abs_diff(x.w);
    let after = if centre { (diff as f32 * 0.5).round() as usize } else { diff };
    let before = diff - after;
    let side = x.h.max(x.w);
    let (top, left) = if x.h > x.w { (0, before) } else { (before, 0) };
    let mut out = vec![0f32; side * side * x.c];
    for y in 0..x.h {
        let from = &x.data[y * x.w * x.c..][..x.w * x.c];
        out[((y + top) * side + left) * x.c..][..x.w * x.c].copy_from_slice(from);
    }
    Map { h: side, w: side, c: x.c, data: out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(h: usize, w: usize, c: usize, data: &[f32]) -> Map {
        Map { h, w, c, data: data.to_vec() }
    }

    #[test]
    fn a_convolution_by_hand() {
        // 3×3 input, one channel; 2×2 kernel of ones, stride 1, no padding: sums of 2×2 blocks.
        let x = map(3, 3, 1, &[1., 2., 3., 4., 5., 6., 7., 8., 9.]);
        let k = Kernel { kh: 2, kw: 2, cout: 1, values: vec![1.; 4] };
        let y = conv2d(&x, &k, 1, Pad::NONE);
        assert_eq!((y.h, y.w, y.data.clone()), (2, 2, vec![12., 16., 24., 28.]));
        // Padded by one on each side, stride 2: the corners' partial sums.
        let y = conv2d(&x, &k, 2, Pad::ONE);
        assert_eq!((y.h, y.w, y.data), (2, 2, vec![1., 5., 11., 28.]));
    }

    #[test]
    fn tensorflow_same_pooling_pads_after() {
        // 3 columns, 2×2 windows at stride 2, "same": 2 outputs, the second window one column wide.
        let x = map(1, 3, 1, &[1., -5., -2.]);
        let y = max_pool(&x, 2, 2, true);
        assert_eq!((y.h, y.w, y.data), (1, 2, vec![1., -2.]));
    }

    #[test]
    fn bilinear_scaling_as_tensorflow() {
        // 1×2 → 1×4 without half-pixel centres: samples at 0, 0.5, 1, 1.5 (clamped).
        let x = map(1, 2, 1, &[0., 10.]);
        assert_eq!(resize_bilinear(&x, 1, 4).data, vec![0., 5., 10., 10.]);
    }

    #[test]
    fn mirror_reverses_each_row_keeping_the_channels() {
        let x = map(2, 2, 2, &[1., 2., 3., 4., 5., 6., 7., 8.]);
        assert_eq!(mirror(&x).data, vec![3., 4., 1., 2., 7., 8., 5., 6.]);
    }

    #[test]
    fn centred_padding_puts_the_larger_half_after() {
        // 4 rows, 1 column: 3 columns to add, round(1.5) = 2 after, 1 before.
        let x = map(4, 1, 1, &[1., 2., 3., 4.]);
        let y = pad_to_square(&x, true);
        assert_eq!(&y.data[..8], &[0., 1., 0., 0., 0., 2., 0., 0.]);
        let y = pad_to_square(&x, false);
        assert_eq!(&y.data[..8], &[1., 0., 0., 0., 2., 0., 0., 0.]);
    }
}
