//! Finding faces: face-api's "tiny face detector", a Tiny-YOLOv2 with depthwise-separable
//! convolutions on a 416 × 416 input, 13 × 13 cells × 5 anchor boxes.

use crate::ops::{self, Kernel, Map, Pad};
use crate::weights::{Weights, WeightsError};

/// The network's input side, in pixels (face-api's default).
const INPUT: usize = 416;
/// Mean colour subtracted before the network (face-api's `MEAN_RGB` for this detector).
const MEAN_RGB: [f32; 3] = [117.001, 114.697, 97.404];
/// Anchor box sizes in cells (face-api's `BOX_ANCHORS` for this detector).
const ANCHORS: [(f32, f32); 5] =
    [(1.603231, 2.094468), (6.041143, 7.080126), (2.882459, 3.518061), (4.266906, 5.178857), (9.041765, 10.66308)];
/// Overlap above which the weaker of two boxes is dropped (face-api's `IOU_THRESHOLD`).
const IOU_THRESHOLD: f32 = 0.4;

/// A face found in a picture, in pixels of that picture.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct FaceBox {
    /// Left edge (may be < 0: the box can reach past the picture).
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// The detector's confidence, 0 to 1.
    pub score: f32,
}

struct Separable {
    depthwise: Vec<f32>,
    pointwise: Kernel,
    bias: Vec<f32>,
}

/// The loaded detector.
pub struct Detector {
    conv0: Kernel,
    conv0_bias: Vec<f32>,
    separable: Vec<Separable>,
    conv8: Kernel,
    conv8_bias: Vec<f32>,
}

impl Detector {
    /// Takes the detector's tensors out of its weights.
    pub fn load(w: &mut Weights) -> Result<Self, WeightsError> {
        let conv0 = Kernel { kh: 3, kw: 3, cout: 16, values: w.take("conv0/filters", &[3, 3, 3, 16])? };
        let conv0_bias = w.take("conv0/bias", &[16])?;
        let mut separable = Vec::new();
        for (i, pair) in [16, 32, 64, 128, 256, 512].windows(2).enumerate() {
            let (cin, cout) = (pair[0], pair[1]);
            let name = format!("conv{}", i + 1);
            separable.push(Separable {
                depthwise: w.take(&format!("{name}/depthwise_filter"), &[3, 3, cin, 1])?,
                pointwise: Kernel {
                    kh: 1,
                    kw: 1,
                    cout,
                    values: w.take(&format!("{name}/pointwise_filter"), &[1, 1, cin, cout])?,
                },
                bias: w.take(&format!("{name}/bias"), &[cout])?,
            });
        }
        let conv8 = Kernel { kh: 1, kw: 1, cout: 25, values: w.take("conv8/filters", &[1, 1, 512, 25])? };
        let conv8_bias = w.take("conv8/bias", &[25])?;
        Ok(Detector { conv0, conv0_bias, separable, conv8, conv8_bias })
    }

    /// The faces in a picture (`rgb`: values 0–255) scoring above `min_score`, strongest first.
    pub fn detect(&self, rgb: &Map, min_score: f32) -> Vec<FaceBox> {
        // Padded to a square after the image, scaled to 416, centred on the mean colour.
        let mut x = ops::resize_bilinear(&ops::pad_to_square(rgb, false), INPUT, INPUT);
        for px in x.data.chunks_exact_mut(3) {
            for (v, mean) in px.iter_mut().zip(MEAN_RGB) {
                *v = (*v - mean) / 255.0;
            }
        }
        let mut x = ops::conv2d(&x, &self.conv0, 1, Pad::NONE);
        ops::add_channels(&mut x, &self.conv0_bias);
        ops::leaky(&mut x);
        for layer in &self.separable {
            x = ops::max_pool(&x, 2, 2, true);
            x = ops::conv2d(&ops::depthwise3x3(&x, &layer.depthwise), &layer.pointwise, 1, Pad::NONE);
            ops::add_channels(&mut x, &layer.bias);
            ops::leaky(&mut x);
        }
        x = ops::max_pool(&x, 2, 1, true);
        let mut out = ops::conv2d(&x, &self.conv8, 1, Pad::NONE);
        ops::add_channels(&mut out, &self.conv8_bias);
        let boxes = decode(&out, rgb.w, rgb.h, min_score);
        suppress(boxes)
            .into_iter()
            .map(|b| FaceBox {
                x: b.x * rgb.w as f32,
                y: b.y * rgb.h as f32,
                width: b.width * rgb.w as f32,
                height: b.height * rgb.h as f32,
                score: b.score,
            })
            .collect()
    }
}

fn sigmoid(v: f32) -> f32 {
    1.0 / (1.0 + (-v).exp())
}

/// The boxes of the output grid above `min_score`, relative to the picture (0–1 on each axis).
fn decode(out: &Map, width: usize, height: usize, min_score: f32) -> Vec<FaceBox> {
    // face-api's correction for the padding: the picture fills `reshaped / INPUT` of the input.
    let scale = INPUT as f32 / width.max(height) as f32;
    let (rw, rh) = ((width as f32 * scale).round(), (height as f32 * scale).round());
    let side = rw.max(rh);
    let (cx, cy) = (side / rw, side / rh);
    let cells = out.h as f32;
    let mut boxes = Vec::new();
    for row in 0..out.h {
        for col in 0..out.w {
            let cell = &out.data[(row * out.w + col) * out.c..][..out.c];
            for (anchor, (aw, ah)) in ANCHORS.iter().enumerate() {
                let [tx, ty, tw, th, ts] = [0, 1, 2, 3, 4].map(|k| cell[anchor * 5 + k]);
                let score = sigmoid(ts);
                if score <= min_score {
                    continue;
                }
                let centre_x = (col as f32 + sigmoid(tx)) / cells * cx;
                let centre_y = (row as f32 + sigmoid(ty)) / cells * cy;
                let w = tw.exp() * aw / cells * cx;
                let h = th.exp() * ah / cells * cy;
                boxes.push(FaceBox { x: centre_x - w / 2.0, y: centre_y - h / 2.0, width: w, height: h, score });
            }
        }
    }
    boxes
}

fn iou(a: &FaceBox, b: &FaceBox) -> f32 {
    let w = ((a.x + a.width).min(b.x + b.width) - a.x.max(b.x)).max(0.0);
    let h = ((a.y + a.height).min(b.y + b.height) - a.y.max(b.y)).max(0.0);
    let inter = w * h;
    inter / (a.width * a.height + b.width * b.height - inter)
}

/// Non-maximum suppression: strongest first, dropping boxes that overlap a kept one too much.
fn suppress(mut boxes: Vec<FaceBox>) -> Vec<FaceBox> {
    boxes.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<FaceBox> = Vec::new();
    for b in boxes {
        if kept.iter().all(|k| iou(k, &b) <= IOU_THRESHOLD) {
            kept.push(b);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_boxes_keep_the_strongest() {
        let b = |x: f32, score: f32| FaceBox { x, y: 0.0, width: 1.0, height: 1.0, score };
        // 0.5 overlap (IoU 1/3) stays, 0.9 overlap (IoU 0.82) goes.
        let kept = suppress(vec![b(0.0, 0.6), b(0.1, 0.9), b(0.6, 0.7)]);
        assert_eq!(kept.iter().map(|k| k.score).collect::<Vec<_>>(), vec![0.9, 0.7]);
    }
}
