/**
 * A model is `models/<name>/model.json` beside its `.onnx`: what it is, which inputs it takes and how to make
 * them, what it outputs, and how its scores are calibrated and routed. This schema is the one place that says so.
 */
import { z } from 'zod/v3';
import { ACCOUNT_FEATURES, type AccountTransform, FEATURE_VIEW } from './features.js';

const fraction = z.number().min(0).max(1);

export const hashedNgramsSchema = z.object({
  type: z.literal('hashed_ngrams'),
  buckets: z
    .number()
    .int()
    .min(16)
    .max(1 << 24),
  wordNgrams: z.array(z.number().int().min(1).max(4)),
  charNgrams: z.array(z.number().int().min(1).max(8)),
  maxFeatures: z.number().int().min(1).max(4096),
  maxChars: z.number().int().min(1),
});

export const tokenizerSchema = z.object({
  type: z.literal('tokenizer'),
  /** tokenizer.json (Hugging Face tokenizers format), beside model.json. */
  tokenizer: z.string().min(1),
  config: z.string().optional(),
  maxLength: z.number().int().min(2).max(8192),
});

export const INPUT_ROLES = [
  'text_indices',
  'text_weights',
  'input_ids',
  'attention_mask',
  'token_type_ids',
  'image_embedding',
  'account_features',
  'modality_mask',
  'text',
] as const;
export type InputRole = (typeof INPUT_ROLES)[number];

export const manifestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'name is lower-case letters, digits, _ . -'),
    version: z.string().min(1),
    kind: z.enum(['distilled_text', 'late_fusion']),
    description: z.string().optional(),
    file: z.string().regex(/\.onnx$/, 'file must name an .onnx file'),
    categories: z.array(z.string().min(1)).min(1),
    critical: z.array(z.string()).default([]),
    preprocessing: z.discriminatedUnion('type', [hashedNgramsSchema, tokenizerSchema]),
    inputs: z
      .array(
        z.object({
          name: z.string().min(1),
          role: z.enum(INPUT_ROLES),
          datatype: z.enum(['FLOAT', 'INT32', 'INT64', 'BYTES']),
          shape: z.array(z.number().int().nullable()),
        }),
      )
      .min(1),
    outputs: z
      .array(
        z.object({
          name: z.string().min(1),
          role: z.enum(['probabilities', 'logits']),
          activation: z.enum(['sigmoid', 'softmax', 'none']).default('none'),
        }),
      )
      .min(1),
    /**
     * Late fusion: the account feature columns it reads, and how each is transformed. With `view`, they are read
     * from Sift's feature view (as of each item's upload) whenever the scoring query does not return them.
     */
    account: z
      .object({
        columns: z.array(z.string()),
        transforms: z.array(z.enum(['identity', 'log1p'] as const satisfies readonly AccountTransform[])),
        view: z.literal(FEATURE_VIEW).optional(),
      })
      .optional(),
    imageDim: z.number().int().min(1).optional(),
    /**
     * Late fusion: the image encoder (a model folder of kind image-encoder, by name) that turns an item's media into
     * its image embedding when the scoring query gives none.
     */
    imageEncoder: z.string().min(1).optional(),
    /** A version trained in the labeling loop says what trained it: "which data trained this model" from its manifest. */
    training: z
      .object({
        session: z.object({ id: z.string(), name: z.string() }),
        fromVersion: z.string(),
        policyVersion: z.string(),
        trainedAt: z.string(),
        items: z.number().int(),
        humanLabeled: z.number().int(),
        labelsFile: z.string(),
        labelsSha256: z.string(),
        /** The label events there were when it trained (the journal is append-only, so this pins the snapshot). */
        labelSnapshot: z.object({ events: z.number().int(), through: z.string().nullable() }),
      })
      .optional(),
    calibration: z
      .object({
        method: z.enum(['platt', 'isotonic']),
        params: z.record(
          z.string(),
          z.union([
            z.object({ a: z.number().finite(), b: z.number().finite() }),
            z.object({ x: z.array(z.number().finite()), y: z.array(z.number().finite()) }),
          ]),
        ),
      })
      .nullable()
      .default(null),
    thresholds: z.record(z.string(), z.object({ remove: fraction, escalate: fraction })),
  })
  .superRefine((manifest, ctx) => {
    for (const category of [...manifest.critical, ...Object.keys(manifest.thresholds)]) {
      if (!manifest.categories.includes(category))
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds'],
          message: `"${category}" is not one of the model's categories`,
        });
    }
    for (const [category, t] of Object.entries(manifest.thresholds)) {
      if (t.escalate > t.remove)
        ctx.addIssue({ code: 'custom', path: ['thresholds', category], message: 'escalate must not be above remove' });
    }
    const roles = new Set(manifest.inputs.map((input) => input.role));
    const need: InputRole[] =
      manifest.kind === 'late_fusion'
        ? ['text_indices', 'text_weights', 'image_embedding', 'account_features', 'modality_mask']
        : manifest.preprocessing.type === 'tokenizer'
          ? ['input_ids', 'attention_mask']
          : ['text_indices', 'text_weights'];
    for (const role of need)
      if (!roles.has(role))
        ctx.addIssue({
          code: 'custom',
          path: ['inputs'],
          message: `a ${manifest.kind} model with ${manifest.preprocessing.type} preprocessing needs an input with role ${role}`,
        });
    if (
      manifest.kind === 'late_fusion' &&
      (!manifest.account || manifest.account.columns.length !== manifest.account.transforms.length)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['account'],
        message: 'a late_fusion model lists its account feature columns, with one transform each',
      });
    }
    if (manifest.account?.view) {
      const known: readonly string[] = ACCOUNT_FEATURES.map((feature) => feature.name);
      for (const column of manifest.account.columns) {
        if (!known.includes(column))
          ctx.addIssue({
            code: 'custom',
            path: ['account', 'columns'],
            message: `"${column}" is not a column of ${FEATURE_VIEW} (${known.join(', ')})`,
          });
      }
    }
    if (manifest.kind === 'late_fusion' && !manifest.imageDim)
      ctx.addIssue({
        code: 'custom',
        path: ['imageDim'],
        message: 'a late_fusion model gives its image embedding size',
      });
    if (manifest.kind !== 'late_fusion' && manifest.imageEncoder)
      ctx.addIssue({
        code: 'custom',
        path: ['imageEncoder'],
        message: 'only a late_fusion model takes an image embedding, so only it names an image encoder',
      });
  });

export type ModelManifest = z.output<typeof manifestSchema>;

export const IMAGE_ENCODER_KIND = 'image-encoder';
const rgb = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

/**
 * An image encoder: pixels in, one embedding out. Sift decodes the image (its first frame; a video's first keyframe),
 * orients it, resizes it to `input.width`×`input.height` (`fit` as sharp and CSS say: cover crops the centre, fill
 * stretches, contain pads with black), drops alpha, and feeds `(pixel / 255 - mean[c]) / std[c]` per channel in
 * `input.channels` order (mean and std are listed in that order), laid out as `input.layout`.
 */
export const imageEncoderManifestSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'name is lower-case letters, digits, _ . -'),
  version: z.string().min(1),
  kind: z.literal(IMAGE_ENCODER_KIND),
  description: z.string().optional(),
  file: z.string().regex(/\.onnx$/, 'file must name an .onnx file'),
  input: z.object({
    name: z.string().min(1),
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    channels: z.enum(['RGB', 'BGR']),
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
    fit: z.enum(['cover', 'fill', 'contain']).default('cover'),
    mean: rgb,
    std: rgb.refine((std) => std.every((value) => value > 0), 'every std is above 0'),
  }),
  output: z.object({ name: z.string().min(1), dim: z.number().int().min(1).max(65536) }),
});

export type ImageEncoderManifest = z.output<typeof imageEncoderManifestSchema>;

/** The kind a model.json declares, read before choosing its schema (a scoring model or an image encoder). */
export function manifestKind(raw: unknown): string | null {
  const kind = (raw as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : null;
}

export function applyCalibration(
  manifest: Pick<ModelManifest, 'calibration'>,
  category: string,
  probability: number,
): number {
  const calibration = manifest.calibration;
  const params = calibration?.params[category];
  if (!calibration || !params) return probability;
  if ('a' in params) {
    // Platt (scikit-learn): p = 1 / (1 + exp(A·f + B)) on the uncalibrated score's logit f.
    const p = Math.min(Math.max(probability, 1e-7), 1 - 1e-7);
    const f = Math.log(p / (1 - p));
    return 1 / (1 + Math.exp(params.a * f + params.b));
  }
  // Isotonic: piecewise-linear through the fitted points, clipped at the ends (scikit-learn's out_of_bounds="clip").
  const { x, y } = params;
  if (x.length === 0) return probability;
  if (probability <= x[0]!) return y[0]!;
  if (probability >= x[x.length - 1]!) return y[y.length - 1]!;
  let hi = 1;
  while (x[hi]! < probability) hi++;
  const lo = hi - 1;
  const span = x[hi]! - x[lo]!;
  return span === 0 ? y[hi]! : y[lo]! + ((probability - x[lo]!) / span) * (y[hi]! - y[lo]!);
}
