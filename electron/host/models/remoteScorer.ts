/**
 * A model scored by a remote server speaking the Open Inference Protocol (KServe v2): the manifest's inputs are
 * prepared here and checked against the server's model metadata before the first batch.
 */
import { SiftError } from '../../../shared/errors.js';
import type { InputRole, ModelManifest } from '../../../shared/modelManifest.js';
import { type Datatype, type InferInput, KServeClient, type RemoteOptions } from './kserveClient.js';
import { computePool } from '../compute/workerPool.js';
import { featurizeBatchTask } from './computeTasks.js';
import {
  type HashedFeatures,
  loadTokenizers,
  POOLED_BATCH,
  prepareInputs,
  type ScoreItem,
  toProbabilities,
  wellFormed,
} from './modelInputs.js';
import type { ModelPackage } from './modelPackage.js';
import type { Scorer } from './runtime.js';

const REMOTE_TYPE: Record<string, Datatype> = { FLOAT: 'FP32', INT32: 'INT32', INT64: 'INT64', BYTES: 'BYTES' };

/**
 * The hashed n-gram features of a batch, computed in the compute pool so the engine's event loop stays free
 * while a million items are re-scored; null when the model does not use them or the batch is small.
 */
async function pooledFeatures(pkg: ModelPackage, items: ScoreItem[]): Promise<HashedFeatures | undefined> {
  const pre = pkg.manifest.preprocessing;
  if (pre.type !== 'hashed_ngrams' || items.length < POOLED_BATCH) return undefined;
  return computePool().run(featurizeBatchTask, [items.map((item) => wellFormed(item.text ?? '')), pre]);
}

export class RemoteScorer implements Scorer {
  readonly provider: string;
  readonly note: string;

  private constructor(
    private readonly pkg: ModelPackage,
    private readonly client: KServeClient,
    private readonly remoteName: string,
    private readonly inputs: { name: string; role: InputRole; datatype: Datatype }[],
    binary: boolean,
  ) {
    this.provider = 'remote';
    this.note = `Open Inference Protocol at ${client.url} (${binary ? 'binary' : 'JSON'} tensors)`;
  }

  /** Checks the server is ready and the remote model's inputs are the ones the manifest declares. */
  static async create(pkg: ModelPackage, options: RemoteOptions): Promise<RemoteScorer> {
    const client = new KServeClient(options);
    const remoteName = options.model ?? pkg.manifest.name;
    await loadTokenizers();
    try {
      await client.ready(remoteName);
      const metadata = await client.metadata(remoteName);
      const remoteInputs = new Map(metadata.inputs.map((input) => [input.name, input]));
      // A server whose model takes the text itself (one BYTES input) gets text; otherwise the prepared tensors.
      const takesText = metadata.inputs.length === 1 && metadata.inputs[0]!.datatype === 'BYTES';
      const plan: ModelManifest['inputs'] = takesText
        ? [{ name: metadata.inputs[0]!.name, role: 'text', datatype: 'BYTES', shape: [null, 1] }]
        : pkg.manifest.inputs.filter((input) => input.role !== 'text');
      const problems: string[] = [];
      for (const input of takesText ? [] : plan) {
        const remote = remoteInputs.get(input.name);
        if (!remote) problems.push(`${input.name} is missing`);
        else if (remote.datatype !== REMOTE_TYPE[input.datatype])
          problems.push(`${input.name} is ${remote.datatype} there, ${REMOTE_TYPE[input.datatype]} here`);
        else if (
          remote.shape.length !== input.shape.length ||
          remote.shape.some((dim, i) => dim > 0 && input.shape[i] !== null && input.shape[i] !== dim)
        ) {
          problems.push(
            `${input.name} has shape [${remote.shape.join(', ')}] there, [${input.shape.map((d) => d ?? -1).join(', ')}] here`,
          );
        }
      }
      for (const name of remoteInputs.keys())
        if (!plan.some((input) => input.name === name)) problems.push(`the server also expects ${name}`);
      const output = pkg.manifest.outputs[0]!.name;
      if (!metadata.outputs.some((o) => o.name === output))
        problems.push(
          `output ${output} is not among the server's outputs (${metadata.outputs.map((o) => o.name).join(', ')})`,
        );
      if (problems.length > 0) {
        throw new SiftError({
          code: 'BAD_REQUEST',
          message: `Remote model ${remoteName} at ${client.url} does not match the manifest of ${pkg.manifest.name}: ${problems.join('; ')}.`,
        });
      }
      const binary = await client.useBinary();
      return new RemoteScorer(
        pkg,
        client,
        remoteName,
        plan.map((input) => ({ name: input.name, role: input.role, datatype: REMOTE_TYPE[input.datatype]! })),
        binary,
      );
    } catch (error) {
      client.close();
      throw error;
    }
  }

  async score(items: ScoreItem[]): Promise<Float32Array> {
    if (items.length === 0) return new Float32Array(0);
    const prepared = prepareInputs(this.pkg, items, await pooledFeatures(this.pkg, items));
    const inputs: InferInput[] = this.inputs.map((input) => {
      const tensor = prepared.get(input.role)!;
      let data = tensor.data;
      if (input.datatype === 'INT64' && data instanceof Int32Array) data = BigInt64Array.from(data, (v) => BigInt(v));
      if (input.datatype === 'INT32' && data instanceof BigInt64Array) data = Int32Array.from(data, (v) => Number(v));
      return { name: input.name, datatype: input.datatype, shape: tensor.dims, data };
    });
    const output = this.pkg.manifest.outputs[0]!.name;
    const outputs = await this.client.infer(this.remoteName, inputs, [output]);
    return toProbabilities(this.pkg, outputs.get(output)!.data, items.length);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
