// The oracle: face-api's own networks on each picture — its tiny face detector (input 416,
// confidence 0.5), then its FaceRecognitionNet (computeFaceDescriptor: its own padding, scaling
// and normalisation) on the square cut that cancuoc uses and on its mirror image, averaged; `cut` is that square in pixels of the
// picture ([x, y, side, side], x or y below 0 where it reaches past the edge).
// Usage: node oracle.cjs MODEL_DIR CROP PICTURE.jpg… > oracle.json
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');
const fs = require('node:fs');
const path = require('node:path');

const tf = faceapi.tf;

async function load(net, dir, name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, `${name}-weights_manifest.json`)));
  const map = {};
  for (const group of manifest) {
    const buf = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(dir, p))));
    const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    Object.assign(map, tf.io.decodeWeights(bytes, group.weights));
  }
  net.loadFromWeightMap(map);
}

(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  const [dir, cropArg, ...pictures] = process.argv.slice(2);
  const crop = Number(cropArg);
  await load(faceapi.nets.tinyFaceDetector, dir, 'tiny_face_detector_model');
  await load(faceapi.nets.faceRecognitionNet, dir, 'face_recognition_model');
  const out = {
    oracle: `@vladmandic/face-api ${require('@vladmandic/face-api/package.json').version}, @tensorflow/tfjs ${tf.version.tfjs} (backend ${tf.getBackend()}), jpeg-js, Node ${process.version}`,
    crop,
    pictures: {},
  };
  for (const file of pictures) {
    const raw = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: false });
    const image = tf.tensor3d(raw.data, [raw.height, raw.width, 3], 'int32');
    const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
    const detections = await faceapi.nets.tinyFaceDetector.locateFaces(image, options);
    const faces = [];
    for (const d of detections) {
      const b = d.box;
      // The square cancuoc cuts: CROP × the box's longer side around its centre, whole pixels
      // (rounded down), black where it reaches past the picture's edge.
      const side = Math.max(b.width, b.height) * crop;
      const x = Math.floor(b.x + b.width / 2 - side / 2);
      const y = Math.floor(b.y + b.height / 2 - side / 2);
      const s = Math.floor(side);
      const pad = [[Math.max(0, -y), Math.max(0, y + s - raw.height)], [Math.max(0, -x), Math.max(0, x + s - raw.width)], [0, 0]];
      const cut = tf.tidy(() => tf.slice(tf.pad(image, pad), [y + pad[0][0], x + pad[1][0], 0], [s, s, 3]));
      // The mean of the descriptors of the cut and of its mirror image, as cancuoc takes.
      const mirrored = tf.reverse(cut, 1);
      const straight = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(cut);
      const flipped = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(mirrored);
      mirrored.dispose();
      const descriptor = straight.map((v, i) => (v + flipped[i]) / 2);
      const clipped = [x, y, s, s];
      cut.dispose();
      faces.push({
        score: d.score,
        box: [b.x, b.y, b.width, b.height],
        cut: clipped,
        descriptor: Array.from(descriptor),
      });
    }
    image.dispose();
    out.pictures[path.basename(file)] = { width: raw.width, height: raw.height, faces };
  }
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
})();
