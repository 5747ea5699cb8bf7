/** The demo models are built by the project's own script, deterministically: rebuilding gives the committed bytes. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModels } from '../../models/build/build';
import { tempDir } from './support';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('npm run models:build', () => {
  it('rebuilds byte-identical models and manifests from the committed sample', async () => {
    const out = tempDir('sift-models-build-');
    const hashes = await buildModels(path.resolve('sample-data/platform'), out);
    for (const name of ['text-distil', 'text-fusion', 'text-transformer-tiny', 'image-encoder-tiny']) {
      expect(hashes[name], name).toBe(sha(path.resolve('models', name, 'model.onnx')));
      expect(fs.readFileSync(path.join(out, name, 'model.json'), 'utf8')).toBe(
        fs.readFileSync(path.resolve('models', name, 'model.json'), 'utf8'),
      );
    }
    expect(fs.readFileSync(path.join(out, 'text-transformer-tiny', 'tokenizer.json'), 'utf8')).toBe(
      fs.readFileSync(path.resolve('models/text-transformer-tiny/tokenizer.json'), 'utf8'),
    );
  });
});
