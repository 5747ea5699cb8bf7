/**
 * A client for the Open Inference Protocol (KServe v2), as NVIDIA Triton, KServe and MLServer serve it over
 * HTTP/REST: server and model readiness, model metadata, and inference with JSON tensors or, when the server
 * lists the `binary_tensor_data` extension, Triton's binary tensor extension. Bearer token, TLS (with a custom
 * CA), a timeout per request, retries with exponential backoff, and a request id checked on the way back.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import { SiftError } from '../../../shared/errors.js';
import { nodeHttp, nodeHttps } from '../lazyBuiltins.js';

export type Datatype = 'BOOL' | 'UINT8' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

export interface RemoteOptions {
  url: string;
  /** The model's name on the server; defaults to the manifest's. */
  model?: string;
  version?: string;
  token?: string;
  /** PEM file of a CA to trust (a self-signed server certificate). */
  caFile?: string;
  timeoutMs?: number;
  retries?: number;
  /** auto: binary when the server lists binary_tensor_data. */
  binary?: 'auto' | 'always' | 'never';
}

export interface TensorMetadata {
  name: string;
  datatype: Datatype;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export type TensorData = Float32Array | Int32Array | BigInt64Array | string[];

export interface InferInput {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: TensorData;
}

export interface InferOutput {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: number[] | Float32Array;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);
const RETRYABLE_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'SIFT_TIMEOUT']);

const BYTE_SIZE: Partial<Record<Datatype, number>> = {
  INT32: 4,
  INT64: 8,
  FP32: 4,
  FP64: 8,
  UINT8: 1,
  INT8: 1,
  BOOL: 1,
  INT16: 2,
  FP16: 2,
};

/** BYTES elements on the wire: each a 4-byte little-endian length, then the UTF-8 bytes. */
export function encodeBytesTensor(values: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) {
    const bytes = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

export function decodeBytesTensor(buffer: Buffer): string[] {
  const values: string[] = [];
  for (let offset = 0; offset < buffer.length;) {
    const length = buffer.readUInt32LE(offset);
    values.push(buffer.toString('utf8', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return values;
}

function tensorBytes(data: TensorData): Buffer {
  if (Array.isArray(data)) return encodeBytesTensor(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function jsonData(data: TensorData): (number | string)[] {
  if (Array.isArray(data)) return data;
  if (data instanceof BigInt64Array) return Array.from(data, (value) => Number(value));
  return Array.from(data);
}

export class KServeClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private extensions: string[] | null = null;

  constructor(private readonly options: RemoteOptions) {
    try {
      this.base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
    } catch {
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `remote.url: "${options.url}" is not a URL (expected http(s)://host:port).`,
      });
    }
    if (!['http:', 'https:'].includes(this.base.protocol))
      throw new SiftError({
        code: 'BAD_REQUEST',
        message: `remote.url: use http:// or https://, not ${this.base.protocol}`,
      });
    const ca = options.caFile ? fs.readFileSync(options.caFile) : undefined;
    this.agent =
      this.base.protocol === 'https:'
        ? new (nodeHttps().Agent)({ keepAlive: true, ca })
        : new (nodeHttp().Agent)({ keepAlive: true });
  }

  get url(): string {
    return this.base.toString();
  }

  private modelPath(name: string): string {
    const version = this.options.version ? `/versions/${encodeURIComponent(this.options.version)}` : '';
    return `v2/models/${encodeURIComponent(name)}${version}`;
  }

  private once(
    method: string,
    path: string,
    body?: Buffer,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const target = new URL(path, this.base);
    const transport = target.protocol === 'https:' ? nodeHttps() : nodeHttp();
    const timeout = this.options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method,
          agent: this.agent,
          headers: {
            ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
            ...(body ? { 'content-length': String(body.length) } : {}),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      request.setTimeout(timeout, () =>
        request.destroy(Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'SIFT_TIMEOUT' })),
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  /** One request with retries: network failures and 408/429/502/503/504 back off exponentially (with jitter). */
  private async request(
    method: string,
    path: string,
    body?: Buffer,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    const attempts = (this.options.retries ?? 3) + 1;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.once(method, path, body, headers);
        if (!RETRYABLE_STATUS.has(response.status) || attempt === attempts) return response;
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        lastProblem = `${code ? `${code}: ` : ''}${(error as Error).message}`;
        if (!RETRYABLE_ERRORS.has(code) || attempt === attempts) {
          throw new SiftError({
            code: 'INTERNAL',
            message: `Remote model server ${this.base.host}: ${lastProblem} (after ${attempt} attempt${attempt > 1 ? 's' : ''}).`,
          });
        }
      }
      const delay = Math.min(2000, 100 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw new SiftError({
      code: 'INTERNAL',
      message: `Remote model server ${this.base.host}: ${lastProblem} (after ${attempts} attempts).`,
    });
  }

  private failure(what: string, response: RawResponse): SiftError {
    let detail = response.body.toString('utf8').slice(0, 300);
    try {
      detail = (JSON.parse(detail) as { error?: string }).error ?? detail;
    } catch {
      // not JSON: keep the text
    }
    const hint = response.status === 401 || response.status === 403 ? ' (check the bearer token)' : '';
    return new SiftError({
      code: 'INTERNAL',
      message: `Remote model server ${this.base.host}: ${what} failed with HTTP ${response.status}${hint}: ${detail}`,
    });
  }

  async serverExtensions(): Promise<string[]> {
    if (this.extensions) return this.extensions;
    const response = await this.request('GET', 'v2');
    if (response.status !== 200) throw this.failure('server metadata', response);
    this.extensions = ((JSON.parse(response.body.toString('utf8')) as { extensions?: string[] }).extensions ?? []).map(
      String,
    );
    return this.extensions;
  }

  async ready(model: string): Promise<void> {
    const server = await this.request('GET', 'v2/health/ready');
    if (server.status !== 200) throw this.failure('the server readiness check', server);
    const response = await this.request('GET', `${this.modelPath(model)}/ready`);
    if (response.status !== 200) throw this.failure(`the readiness check of model ${model}`, response);
  }

  async metadata(model: string): Promise<ModelMetadata> {
    const response = await this.request('GET', this.modelPath(model));
    if (response.status !== 200) throw this.failure(`metadata for model ${model}`, response);
    return JSON.parse(response.body.toString('utf8')) as ModelMetadata;
  }

  async useBinary(): Promise<boolean> {
    const mode = this.options.binary ?? 'auto';
    if (mode !== 'auto') return mode === 'always';
    return (await this.serverExtensions()).includes('binary_tensor_data');
  }

  async infer(model: string, inputs: InferInput[], outputs: string[]): Promise<Map<string, InferOutput>> {
    const id = randomUUID();
    const binary = await this.useBinary();
    let body: Buffer;
    const headers: Record<string, string> = {};
    if (binary) {
      const blobs = inputs.map((input) => tensorBytes(input.data));
      const header = Buffer.from(
        JSON.stringify({
          id,
          inputs: inputs.map((input, i) => ({
            name: input.name,
            datatype: input.datatype,
            shape: input.shape,
            parameters: { binary_data_size: blobs[i]!.length },
          })),
          outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
        }),
      );
      body = Buffer.concat([header, ...blobs]);
      headers['content-type'] = 'application/octet-stream';
      headers['inference-header-content-length'] = String(header.length);
    } else {
      body = Buffer.from(
        JSON.stringify({
          id,
          inputs: inputs.map((input) => ({
            name: input.name,
            datatype: input.datatype,
            shape: input.shape,
            data: jsonData(input.data),
          })),
          outputs: outputs.map((name) => ({ name })),
        }),
      );
      headers['content-type'] = 'application/json';
    }
    const response = await this.request('POST', `${this.modelPath(model)}/infer`, body, headers);
    if (response.status !== 200) throw this.failure(`inference on model ${model}`, response);
    const headerLength = Number(response.headers['inference-header-content-length'] ?? response.body.length);
    const json = JSON.parse(response.body.toString('utf8', 0, headerLength)) as {
      id?: string;
      outputs: (TensorMetadata & { data?: number[]; parameters?: { binary_data_size?: number } })[];
    };
    if (json.id !== undefined && json.id !== id)
      throw new SiftError({
        code: 'INTERNAL',
        message: `Remote model server ${this.base.host} answered request ${json.id}, not ${id}.`,
      });
    const result = new Map<string, InferOutput>();
    let offset = headerLength;
    for (const output of json.outputs) {
      const size = output.parameters?.binary_data_size;
      if (size !== undefined) {
        const slice = response.body.subarray(offset, offset + size);
        offset += size;
        if (output.datatype !== 'FP32')
          throw new SiftError({
            code: 'INTERNAL',
            message: `Remote output ${output.name} is ${output.datatype}; Sift reads FP32 scores.`,
          });
        const copy = new Float32Array(size / (BYTE_SIZE.FP32 ?? 4));
        new Uint8Array(copy.buffer).set(slice);
        result.set(output.name, { name: output.name, datatype: output.datatype, shape: output.shape, data: copy });
      } else {
        result.set(output.name, {
          name: output.name,
          datatype: output.datatype,
          shape: output.shape,
          data: output.data ?? [],
        });
      }
    }
    return result;
  }

  close(): void {
    this.agent.destroy();
  }
}
