import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** The content hash of a file, streamed in 256 KB pieces (run in the compute pool: computeTasks.ts). */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 18 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
