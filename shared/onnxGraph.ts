/**
 * A small writer for ONNX graphs (protobuf via onnx-proto), enough for the demo models: initializers, nodes,
 * typed inputs and outputs. Opset 13.
 */
import onnxProto, { type onnx as P } from 'onnx-proto';
import type { HashedNgramsConfig } from './hashedNgrams.js';
import type { LinearModel } from './linearModel.js';

const { onnx } = onnxProto;

export type ElementType = 'FLOAT' | 'INT32' | 'INT64';
const TYPE_CODE: Record<ElementType, number> = {
  FLOAT: onnx.TensorProto.DataType.FLOAT,
  INT32: onnx.TensorProto.DataType.INT32,
  INT64: onnx.TensorProto.DataType.INT64,
};

export class GraphBuilder {
  private readonly nodes: P.INodeProto[] = [];
  private readonly initializers: P.ITensorProto[] = [];
  private readonly inputs: P.IValueInfoProto[] = [];
  private readonly outputs: P.IValueInfoProto[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  private valueInfo(name: string, type: ElementType, shape: (number | string)[]): P.IValueInfoProto {
    return {
      name,
      type: {
        tensorType: {
          elemType: TYPE_CODE[type],
          shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    };
  }

  input(name: string, type: ElementType, shape: (number | string)[]): string {
    this.inputs.push(this.valueInfo(name, type, shape));
    return name;
  }

  output(name: string, type: ElementType, shape: (number | string)[]): void {
    this.outputs.push(this.valueInfo(name, type, shape));
  }

  floatTensor(name: string, dims: number[], values: Float32Array | number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.initializers.push({
      name,
      dims,
      dataType: TYPE_CODE.FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  int64Tensor(name: string, dims: number[], values: number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims, dataType: TYPE_CODE.INT64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** Adds a node and returns its (single) output name. */
  node(opType: string, inputs: string[], attributes: Record<string, number | number[]> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({
      opType,
      input: inputs,
      output: [out],
      name: `${opType}_${this.counter++}`,
      attribute: Object.entries(attributes).map(([name, value]) =>
        Array.isArray(value)
          ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
          : Number.isInteger(value)
            ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value }
            : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value },
      ),
    });
    return out;
  }

  encode(docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'sift-models-build',
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Σ_j W[indices[n, j]] · weights[n, j]: a hashed-n-gram linear layer, [batch, rows] → [batch, width]. */
export function sparseLinear(graph: GraphBuilder, indices: string, weights: string, table: string): string {
  const gathered = graph.node('Gather', [table, indices], { axis: 0 }); // [N, L, C]
  const axis2 = graph.int64Tensor(`axis2_${indices}`, [1], [2]);
  const expanded = graph.node('Unsqueeze', [weights, axis2]); // [N, L, 1]
  const weighted = graph.node('Mul', [gathered, expanded]);
  const axis1 = graph.int64Tensor(`axis1_${indices}`, [1], [1]);
  return graph.node('ReduceSum', [weighted, axis1], { keepdims: 0 }); // [N, C]
}

/**
 * The distilled text classifier's graph: hashed n-gram (index, weight) pairs → a linear layer → a sigmoid per
 * category. The demo build and the labeling loop's retraining write the same graph.
 */
export function distilledTextOnnx(
  model: LinearModel,
  ngrams: HashedNgramsConfig,
  categories: string[],
  docString = 'Sift distilled text classifier: hashed word and character n-grams, linear, sigmoid per category.',
): Uint8Array {
  const graph = new GraphBuilder('text_distil');
  const indices = graph.input('indices', 'INT32', ['batch', ngrams.maxFeatures]);
  const weights = graph.input('weights', 'FLOAT', ['batch', ngrams.maxFeatures]);
  const table = graph.floatTensor('ngram_weights', [ngrams.buckets, categories.length], model.sparseWeights);
  const bias = graph.floatTensor('bias', [categories.length], model.bias);
  const logits = graph.node('Add', [sparseLinear(graph, indices, weights, table), bias], {}, 'logits');
  graph.node('Sigmoid', [logits], {}, 'probabilities');
  graph.output('probabilities', 'FLOAT', ['batch', categories.length]);
  graph.output('logits', 'FLOAT', ['batch', categories.length]);
  return graph.encode(docString);
}
