/**
 * DuckDB's JSON reader recurses once per level of nesting: about a thousand levels take a minute, and a hundred
 * thousand crash the process (DuckDB 1.5.5). Sift measures the nesting of what it hands DuckDB and refuses input
 * past a bound no real moderation export comes near.
 */
export const MAX_JSON_DEPTH = 64;

/** Streaming counter of `[`/`{` nesting outside JSON strings; feed it bytes in any chunking. */
export class JsonDepthMeter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  maxDepth = 0;
  /** Byte offset where `maxDepth` was first reached. */
  maxAt = 0;
  private offset = 0;

  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === 0x5c) this.escaped = true;
        else if (byte === 0x22) this.inString = false;
        continue;
      }
      if (byte === 0x22) this.inString = true;
      else if (byte === 0x5b || byte === 0x7b) {
        this.depth++;
        if (this.depth > this.maxDepth) {
          this.maxDepth = this.depth;
          this.maxAt = this.offset + i;
        }
      } else if ((byte === 0x5d || byte === 0x7d) && this.depth > 0) this.depth--;
    }
    this.offset += bytes.length;
  }
}

/** Deepest `[`/`{` nesting in a text, counting every bracket (quotes ignored): a bound, not a parse. */
export function bracketDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if ((code === 0x5d || code === 0x7d) && depth > 0) depth--;
  }
  return max;
}
