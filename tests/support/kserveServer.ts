/**
 * A small Open Inference Protocol (KServe v2) server for tests and benchmarks, backed by onnxruntime-node and
 * the project's real model files: server/model readiness and metadata, JSON and binary-tensor inference, BYTES
 * inputs for a model that takes raw text, bearer tokens, TLS, and injectable failures and delays.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { decodeBytesTensor } from '../../electron/host/models/kserveClient';
import { featurizeBatch, type HashedNgramsConfig } from '../../shared/hashedNgrams';

interface ServedModel {
  session: ort.InferenceSession;
  inputs: { name: string; datatype: string; shape: number[] }[];
  outputs: { name: string; datatype: string; shape: number[] }[];
  /** Set for a model that takes raw text as one BYTES input and featurises it here. */
  textFeaturizer?: HashedNgramsConfig;
}

export interface TestServerOptions {
  modelsDir: string;
  binaryExtension?: boolean;
  token?: string;
  tls?: { key: Buffer; cert: Buffer };
  /** The first N inference requests answer 503 (to exercise retries). */
  failFirst?: number;
  /** Every inference waits this long before answering (to exercise timeouts). */
  delayMs?: number;
}

export interface TestServer {
  url: string;
  requests: { method: string; path: string; binary: boolean; id?: string }[];
  close(): Promise<void>;
}

const DATATYPE: Record<string, string> = { float32: 'FP32', int32: 'INT32', int64: 'INT64', string: 'BYTES' };
const ORT_TYPE: Record<string, 'float32' | 'int32' | 'int64'> = { FP32: 'float32', INT32: 'int32', INT64: 'int64' };

async function loadModel(
  dir: string,
): Promise<{ name: string; model: ServedModel; manifest: { preprocessing?: HashedNgramsConfig } }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    name: string;
    file: string;
    preprocessing?: HashedNgramsConfig; // an image encoder has none
  };
  const session = await ort.InferenceSession.create(path.join(dir, manifest.file));
  const meta = (session as unknown as { inputMetadata: { name: string; type: string; shape: (number | string)[] }[] })
    .inputMetadata;
  const dims = (shape: (number | string)[]) => shape.map((d) => (typeof d === 'number' && d > 0 ? d : -1));
  return {
    name: manifest.name,
    manifest,
    model: {
      session,
      inputs: meta.map((m) => ({ name: m.name, datatype: DATATYPE[m.type] ?? m.type, shape: dims(m.shape) })),
      outputs: session.outputNames.map((name) => ({ name, datatype: 'FP32', shape: [-1, -1] })),
    },
  };
}

export async function startKServeServer(options: TestServerOptions): Promise<TestServer> {
  const models = new Map<string, ServedModel>();
  for (const entry of fs.readdirSync(options.modelsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !fs.existsSync(path.join(options.modelsDir, entry.name, 'model.json'))) continue;
    const { name, model, manifest } = await loadModel(path.join(options.modelsDir, entry.name));
    models.set(name, model);
    if (manifest.preprocessing?.type === 'hashed_ngrams' && name === 'text-distil') {
      // The same model behind a raw-text interface, as a Triton ensemble with a tokenising step would serve it.
      models.set(`${name}-text`, {
        ...model,
        inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1, 1] }],
        textFeaturizer: manifest.preprocessing,
      });
    }
  }
  const requests: TestServer['requests'] = [];
  let failuresLeft = options.failFirst ?? 0;
  const binaryExtension = options.binaryExtension ?? true;

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const headerLength = req.headers['inference-header-content-length'];
    requests.push({ method: req.method ?? '', path: url.pathname, binary: headerLength !== undefined });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`)
      return json(res, 401, { error: 'missing or invalid bearer token' });
    if (url.pathname === '/v2')
      return json(res, 200, {
        name: 'sift-test-server',
        version: '1',
        extensions: binaryExtension ? ['binary_tensor_data', 'model_repository'] : ['model_repository'],
      });
    if (url.pathname === '/v2/health/ready' || url.pathname === '/v2/health/live') return json(res, 200, {});
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?(\/ready|\/infer)?$/.exec(url.pathname);
    const model = match ? models.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !model) return json(res, 404, { error: `unknown model ${match?.[1] ?? url.pathname}` });
    if (match[2] === '/ready') return json(res, 200, {});
    if (!match[2])
      return json(res, 200, {
        name: match[1],
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: model.inputs,
        outputs: model.outputs,
      });
    if (failuresLeft > 0) {
      failuresLeft--;
      return json(res, 503, { error: 'warming up' });
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const jsonLength = headerLength === undefined ? body.length : Number(headerLength);
    const request = JSON.parse(body.toString('utf8', 0, jsonLength)) as {
      id?: string;
      inputs: {
        name: string;
        datatype: string;
        shape: number[];
        data?: (number | string)[];
        parameters?: { binary_data_size?: number };
      }[];
      outputs?: { name: string; parameters?: { binary_data?: boolean } }[];
    };
    requests[requests.length - 1]!.id = request.id;
    let offset = jsonLength;
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of request.inputs) {
      const declared = model.inputs.find((i) => i.name === input.name);
      if (!declared) return json(res, 400, { error: `unexpected input ${input.name}` });
      const size = input.parameters?.binary_data_size;
      const raw = size !== undefined ? body.subarray(offset, (offset += size)) : null;
      if (declared.datatype === 'BYTES') {
        const texts = raw ? decodeBytesTensor(raw) : (input.data as string[]);
        const { indices, weights } = featurizeBatch(texts, model.textFeaturizer!);
        const width = model.textFeaturizer!.maxFeatures;
        feeds.indices = new ort.Tensor('int32', indices, [texts.length, width]);
        feeds.weights = new ort.Tensor('float32', weights, [texts.length, width]);
        continue;
      }
      const type = ORT_TYPE[input.datatype];
      if (!type || input.datatype !== declared.datatype)
        return json(res, 400, { error: `input ${input.name} must be ${declared.datatype}` });
      let data: Float32Array | Int32Array | BigInt64Array;
      if (raw) {
        const copy = new Uint8Array(raw.length);
        copy.set(raw);
        data =
          type === 'float32'
            ? new Float32Array(copy.buffer)
            : type === 'int32'
              ? new Int32Array(copy.buffer)
              : new BigInt64Array(copy.buffer);
      } else {
        const values = (input.data ?? []) as number[];
        data =
          type === 'float32'
            ? Float32Array.from(values)
            : type === 'int32'
              ? Int32Array.from(values)
              : BigInt64Array.from(values.map((v) => BigInt(v)));
      }
      feeds[input.name] = new ort.Tensor(type, data, input.shape);
    }
    const wanted = request.outputs?.map((o) => o.name) ?? model.outputs.map((o) => o.name);
    const results = await model.session.run(feeds, wanted);
    const binaryOut = (request.outputs ?? []).some((o) => o.parameters?.binary_data);
    if (binaryOut) {
      const blobs = wanted.map((name) => Buffer.from((results[name]!.data as Float32Array).buffer));
      const header = Buffer.from(
        JSON.stringify({
          id: request.id,
          model_name: match[1],
          outputs: wanted.map((name, i) => ({
            name,
            datatype: 'FP32',
            shape: results[name]!.dims,
            parameters: { binary_data_size: blobs[i]!.length },
          })),
        }),
      );
      const payload = Buffer.concat([header, ...blobs]);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
        'content-length': payload.length,
      });
      return res.end(payload);
    }
    return json(res, 200, {
      id: request.id,
      model_name: match[1],
      outputs: wanted.map((name) => ({
        name,
        datatype: 'FP32',
        shape: results[name]!.dims,
        data: Array.from(results[name]!.data as Float32Array),
      })),
    });
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const model of new Set(models.values())) await model.session.release().catch(() => undefined);
    },
  };
}
