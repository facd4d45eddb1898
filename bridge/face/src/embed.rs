//! The face descriptor: Davis King's dlib ResNet (29 convolutions, 128 numbers per face) in
//! face-api's port, on a 150 × 150 picture of the face.

use crate::ops::{self, Kernel, Map, Pad};
use crate::weights::{Weights, WeightsError};

/// The network's input side, in pixels.
pub const INPUT: usize = 150;
/// Mean colour subtracted before the network (face-api's `FaceRecognitionNet`).
const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];

/// The descriptor's length.
pub const LEN: usize = 128;

struct ConvLayer {
    kernel: Kernel,
    bias: Vec<f32>,
    scale: Vec<f32>,
    offset: Vec<f32>,
}

impl ConvLayer {
    fn load(w: &mut Weights, prefix: &str, k: usize, cin: usize, cout: usize) -> Result<Self, WeightsError> {
        Ok(ConvLayer {
            kernel: Kernel {
                kh: k,
                kw: k,
                cout,
                values: w.take(&format!("{prefix}/conv/filters"), &[k, k, cin, cout])?,
            },
            bias: w.take(&format!("{prefix}/conv/bias"), &[cout])?,
            scale: w.take(&format!("{prefix}/scale/weights"), &[cout])?,
            offset: w.take(&format!("{prefix}/scale/biases"), &[cout])?,
        })
    }

    /// Convolution, bias, per-channel scale; stride 2 is "valid", stride 1 "same".
    fn run(&self, x: &Map, stride: usize, relu: bool) -> Map {
        let pad = if stride == 1 { Pad::ONE } else { Pad::NONE };
        let mut out = ops::conv2d(x, &self.kernel, stride, pad);
        ops::add_channels(&mut out, &self.bias);
        ops::scale_channels(&mut out, &self.scale, &self.offset);
        if relu {
            ops::relu(&mut out);
        }
        out
    }
}

struct Residual {
    conv1: ConvLayer,
    conv2: ConvLayer,
    down: bool,
}

impl Residual {
    fn run(&self, x: &Map) -> Map {
        let stride = if self.down { 2 } else { 1 };
        let mut out = self.conv2.run(&self.conv1.run(x, stride, true), 1, false);
        let shortcut = if self.down { ops::avg_pool2(x) } else { x.clone() };
        if shortcut.h != out.h || shortcut.w != out.w {
            // face-api adds one zero row and one zero column after the convolution's output
            // when the pooled shortcut is a row and a column larger.
            out = grow_by_one(&out);
        }
        for (px, s) in out.data.chunks_exact_mut(out.c).zip(shortcut.data.chunks_exact(shortcut.c)) {
            // The shortcut's missing channels are zeros.
            px.iter_mut().zip(s).for_each(|(o, s)| *o += s);
        }
        ops::relu(&mut out);
        out
    }
}

fn grow_by_one(x: &Map) -> Map {
    let (h, w) = (x.h + 1, x.w + 1);
    let mut data = vec![0f32; h * w * x.c];
    for y in 0..x.h {
        data[y * w * x.c..][..x.w * x.c].copy_from_slice(&x.data[y * x.w * x.c..][..x.w * x.c]);
    }
    Map { h, w, c: x.c, data }
}

/// The loaded descriptor network.
pub struct Embedder {
    first: ConvLayer,
    blocks: Vec<Residual>,
    fc: Vec<f32>,
}

impl Embedder {
    /// Takes the network's tensors out of its weights.
    pub fn load(w: &mut Weights) -> Result<Self, WeightsError> {
        let first = ConvLayer::load(w, "conv32_down", 7, 3, 32)?;
        let plan: [(&str, usize, usize, bool); 14] = [
            ("conv32_1", 32, 32, false),
            ("conv32_2", 32, 32, false),
            ("conv32_3", 32, 32, false),
            ("conv64_down", 32, 64, true),
            ("conv64_1", 64, 64, false),
            ("conv64_2", 64, 64, false),
            ("conv64_3", 64, 64, false),
            ("conv128_down", 64, 128, true),
            ("conv128_1", 128, 128, false),
            ("conv128_2", 128, 128, false),
            ("conv256_down", 128, 256, true),
            ("conv256_1", 256, 256, false),
            ("conv256_2", 256, 256, false),
            ("conv256_down_out", 256, 256, true),
        ];
        let mut blocks = Vec::new();
        for (name, cin, cout, down) in plan {
            blocks.push(Residual {
                conv1: ConvLayer::load(w, &format!("{name}/conv1"), 3, cin, cout)?,
                conv2: ConvLayer::load(w, &format!("{name}/conv2"), 3, cout, cout)?,
                down,
            });
        }
        let fc = w.take("fc", &[256, LEN])?;
        Ok(Embedder { first, blocks, fc })
    }

    /// The descriptor of a face picture (`rgb`: values 0–255, any size; padded to a square
    /// around its centre and scaled to 150 × 150 first).
    pub fn describe(&self, rgb: &Map) -> [f32; LEN] {
        let mut x = ops::pad_to_square(rgb, true);
        if x.h != INPUT {
            x = ops::resize_bilinear(&x, INPUT, INPUT);
        }
        for px in x.data.chunks_exact_mut(3) {
            for (v, mean) in px.iter_mut().zip(MEAN_RGB) {
                *v = (*v - mean) / 255.0;
            }
        }
        let mut x = ops::max_pool(&self.first.run(&x, 2, true), 3, 2, false);
        for block in &self.blocks {
            x = block.run(&x);
        }
        // Global average, then the fully connected layer.
        let mut mean = vec![0f32; x.c];
        for px in x.data.chunks_exact(x.c) {
            mean.iter_mut().zip(px).for_each(|(m, v)| *m += v);
        }
        let n = (x.h * x.w) as f32;
        let mut out = [0f32; LEN];
        for (i, m) in mean.iter().enumerate() {
            let row = &self.fc[i * LEN..][..LEN];
            out.iter_mut().zip(row).for_each(|(o, w)| *o += m / n * w);
        }
        out
    }
}
