/**
 * Annotator tokens of a workspace (`.sift/annotators.json`): a name and the SHA-256 of a random token. The token
 * itself is shown once, when made; a leaked file does not let anyone in.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Caller } from '../../../shared/callerAccess.js';
import type { AnnotatorToken } from '../../../shared/contract.js';

// No import of workspace.ts: the engine client (browser mode) checks tokens here without loading DuckDB (the engine's).
import { SIFT_DIR, writeFileAtomic } from './layout.js';

const OWNER_ONLY = 0o600;

interface Stored extends AnnotatorToken {
  sha256: string;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export class AnnotatorTokens {
  constructor(private readonly workspaceDir: string) {}

  private file(): string {
    return path.join(this.workspaceDir, SIFT_DIR, 'annotators.json');
  }

  private read(): Stored[] {
    try {
      const stored = JSON.parse(fs.readFileSync(this.file(), 'utf8')) as Stored[];
      return Array.isArray(stored) ? stored : [];
    } catch {
      return [];
    }
  }

  list(): AnnotatorToken[] {
    return this.read().map(({ name, createdAt }) => ({ name, createdAt }));
  }

  create(name: string): { name: string; token: string } {
    const token = randomBytes(24).toString('base64url');
    const rest = this.read().filter((entry) => entry.name !== name);
    writeFileAtomic(
      this.file(),
      JSON.stringify([...rest, { name, createdAt: new Date().toISOString(), sha256: hash(token) }], null, 2),
      OWNER_ONLY,
    );
    return { name, token };
  }

  revoke(name: string): boolean {
    const all = this.read();
    const rest = all.filter((entry) => entry.name !== name);
    if (rest.length === all.length) return false;
    writeFileAtomic(this.file(), JSON.stringify(rest, null, 2), OWNER_ONLY);
    return true;
  }

  /** The annotator a token belongs to, or null. Compared in constant time. */
  annotatorFor(token: string | null | undefined): string | null {
    if (!token) return null;
    const given = Buffer.from(hash(token), 'hex');
    for (const entry of this.read()) {
      const expected = Buffer.from(entry.sha256, 'hex');
      if (expected.length === given.length && timingSafeEqual(expected, given)) return entry.name;
    }
    return null;
  }
}

/**
 * Who calls with a token that is not the owner's: the annotator it was made for, or null (refused). The served
 * host (Host, EngineClient) answers with this, so the browser-mode server only routes.
 */
export function annotatorCaller(workspaceDir: string, token: string | null): Caller | null {
  const annotator = new AnnotatorTokens(workspaceDir).annotatorFor(token);
  return annotator === null ? null : { role: 'annotator', annotator };
}
