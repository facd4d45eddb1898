//! The networks' weights as TensorFlow.js publishes them: a JSON manifest naming each tensor,
//! its shape and its encoding, and one binary file with the tensors one after the other.
//! Most tensors are quantised to bytes (`value = byte × scale + min`); the rest are
//! little-endian `f32`.

use std::collections::HashMap;

use serde::Deserialize;

/// What is wrong with a weight file.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WeightsError {
    /// The manifest is not the JSON TensorFlow.js writes.
    #[error("the weight manifest is not readable: {0}")]
    Manifest(String),
    /// A tensor's encoding is not one this loader knows.
    #[error("tensor {name}: encoding {dtype} is not supported")]
    Encoding {
        /// The tensor's name in the manifest.
        name: String,
        /// Its encoding.
        dtype: String,
    },
    /// The binary file ends before the manifest's tensors do, or goes on after them.
    #[error("the weight file has {have} bytes, the manifest describes {want}")]
    Length {
        /// Bytes in the file.
        have: usize,
        /// Bytes the manifest describes.
        want: usize,
    },
    /// A tensor the network needs is missing or has another shape.
    #[error("tensor {name}: expected shape {want:?}, found {have:?}")]
    Shape {
        /// The tensor's name.
        name: String,
        /// The shape the network needs.
        want: Vec<usize>,
        /// The shape found (empty when the tensor is missing).
        have: Vec<usize>,
    },
}

#[derive(Deserialize)]
struct Group {
    weights: Vec<Spec>,
}

#[derive(Deserialize)]
struct Spec {
    name: String,
    shape: Vec<usize>,
    dtype: String,
    quantization: Option<Quantization>,
}

#[derive(Deserialize)]
struct Quantization {
    dtype: String,
    scale: f32,
    min: f32,
}

/// The named tensors of one network, as `f32`.
pub struct Weights {
    tensors: HashMap<String, (Vec<usize>, Vec<f32>)>,
}

impl Weights {
    /// Reads a manifest and its binary file (a manifest with several groups would list their
    /// files in order; ours have one group and one file each).
    pub fn parse(manifest: &str, data: &[u8]) -> Result<Self, WeightsError> {
        let groups: Vec<Group> = serde_json::from_str(manifest).map_err(|e| WeightsError::Manifest(e.to_string()))?;
        let mut tensors = HashMap::new();
        let mut at = 0usize;
        for spec in groups.into_iter().flat_map(|g| g.weights) {
            let count: usize = spec.shape.iter().product();
            let values = match (&spec.quantization, spec.dtype.as_str()) {
                (Some(q), "float32") if q.dtype == "uint8" => {
                    let bytes =
                        data.get(at..at + count).ok_or(WeightsError::Length { have: data.len(), want: at + count })?;
                    at += count;
                    bytes.iter().map(|&b| f32::from(b) * q.scale + q.min).collect()
                }
                (None, "float32") => {
                    let len = count * 4;
                    let bytes =
                        data.get(at..at + len).ok_or(WeightsError::Length { have: data.len(), want: at + len })?;
                    at += len;
                    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
                }
                (q, dtype) => {
                    let dtype = q.as_ref().map_or(dtype.to_string(), |q| format!("{dtype} as {}", q.dtype));
                    return Err(WeightsError::Encoding { name: spec.name, dtype });
                }
            };
            tensors.insert(spec.name, (spec.shape, values));
        }
        if at != data.len() {
            return Err(WeightsError::Length { have: data.len(), want: at });
        }
        Ok(Weights { tensors })
    }

    /// Takes a tensor out, checking its shape.
    pub fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, WeightsError> {
        match self.tensors.remove(name) {
            Some((have, values)) if have == shape => Ok(values),
            found => Err(WeightsError::Shape {
                name: name.to_string(),
                want: shape.to_vec(),
                have: found.map(|(s, _)| s).unwrap_or_default(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written by hand from the TensorFlow.js weight format: one quantised and one plain tensor.
    const MANIFEST: &str = r#"[{"paths":["x.bin"],"weights":[
        {"name":"a","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1.0}},
        {"name":"b","shape":[1],"dtype":"float32"}]}]"#;

    #[test]
    fn reads_quantised_and_plain_tensors() {
        let mut data = vec![0u8, 4];
        data.extend_from_slice(&1.5f32.to_le_bytes());
        let mut w = Weights::parse(MANIFEST, &data).expect("parse");
        assert_eq!(w.take("a", &[2]).expect("a"), vec![-1.0, 1.0]);
        assert_eq!(w.take("b", &[1]).expect("b"), vec![1.5]);
        assert!(matches!(w.take("b", &[1]), Err(WeightsError::Shape { .. })));
    }

    #[test]
    fn a_short_or_long_file_is_an_error() {
        assert_eq!(Weights::parse(MANIFEST, &[0, 4, 0]).err(), Some(WeightsError::Length { have: 3, want: 6 }));
        assert_eq!(Weights::parse(MANIFEST, &[0; 7]).err(), Some(WeightsError::Length { have: 7, want: 6 }));
        assert!(matches!(Weights::parse("{", &[]), Err(WeightsError::Manifest(_))));
    }
}
