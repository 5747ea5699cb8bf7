/**
 * models/image-encoder-tiny: a tiny deterministic image encoder, so the path from an item's media to the fusion
 * model's image embedding runs (and is tested) without shipping a real vision model. It sees the mean colour of
 * each cell of a 4×4 grid over the 32×32 input (48 values) and projects them to the fusion model's image embedding
 * size through fixed weights drawn from a seeded generator, then tanh. Images of similar colour layout get similar
 * embeddings; it knows nothing else (swap in a real encoder's ONNX export with its own manifest for that).
 */
import type { ImageEncoderManifest } from '../../shared/modelManifest.js';
import { GraphBuilder } from '../../shared/onnxGraph.js';
import { Random } from '../../shared/random.js';

export const TINY_ENCODER_NAME = 'image-encoder-tiny';
const SIZE = 32;
/** Cells per side of the grid the encoder averages over. */
export const TINY_ENCODER_GRID = 4;
const CELL = SIZE / TINY_ENCODER_GRID;
const FEATURES = 3 * TINY_ENCODER_GRID * TINY_ENCODER_GRID;
const SEED = 26;

export function tinyEncoderManifest(dim: number, version: string): ImageEncoderManifest {
  return {
    name: TINY_ENCODER_NAME,
    version,
    kind: 'image-encoder',
    description: `Demo image encoder: the mean colour of each cell of a ${TINY_ENCODER_GRID}×${TINY_ENCODER_GRID} grid over the ${SIZE}×${SIZE} image, a fixed seeded projection to ${dim} values, tanh. Deterministic; knows colour layout only.`,
    file: 'model.onnx',
    input: {
      name: 'pixels',
      width: SIZE,
      height: SIZE,
      channels: 'RGB',
      layout: 'NCHW',
      fit: 'cover',
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
    },
    output: { name: 'embedding', dim },
  };
}

/**
 * The projection: weights [48, dim] in the order the graph flattens the pooled grid (channel, row, column), and a
 * bias [dim]. Standard normals scaled by 1/√48, so a normalised input gives outputs of order one before tanh.
 */
export function tinyEncoderWeights(dim: number): { weights: Float32Array; bias: Float32Array } {
  const random = new Random(SEED);
  const weights = Float32Array.from({ length: FEATURES * dim }, () => random.normal() / Math.sqrt(FEATURES));
  const bias = Float32Array.from({ length: dim }, () => random.normal() * 0.1);
  return { weights, bias };
}

export function tinyEncoderOnnx(dim: number): Uint8Array {
  const { weights, bias } = tinyEncoderWeights(dim);
  const graph = new GraphBuilder('image_encoder_tiny');
  const pixels = graph.input('pixels', 'FLOAT', ['batch', 3, SIZE, SIZE]);
  const pooled = graph.node('AveragePool', [pixels], { kernel_shape: [CELL, CELL], strides: [CELL, CELL] }); // [N, 3, 4, 4]
  const flat = graph.node('Flatten', [pooled], { axis: 1 }); // [N, 48]
  const projected = graph.node('MatMul', [flat, graph.floatTensor('projection', [FEATURES, dim], weights)]);
  const shifted = graph.node('Add', [projected, graph.floatTensor('bias', [dim], bias)]);
  graph.node('Tanh', [shifted], {}, 'embedding');
  graph.output('embedding', 'FLOAT', ['batch', dim]);
  return graph.encode(
    'Sift demo image encoder: 4x4 grid of mean colours, a fixed seeded projection, tanh. Deterministic.',
  );
}
