/**
 * Looks at the first megabyte of a delimited text file before DuckDB does. DuckDB's own sniffer is good at
 * types but, faced with ragged rows, it may silently skip lines or report only "could not detect the dialect";
 * this pass catches binary files, bad encodings and ragged rows early, with the line they are on.
 */
import { SiftError } from '../../../shared/errors.js';

export const SNIFF_BYTES = 1 << 20;
const DELIMITERS = [',', '\t', ';', '|'] as const;
const MAX_SAMPLE_RECORDS = 2000;

export interface CsvSniff {
  delimiter: string;
  encoding: 'utf-8' | 'utf-16' | 'latin-1';
  fieldCount: number;
  /** How a quote inside a quoted field is written: doubled (`""`, RFC 4180) or after a backslash (`\"`). */
  escape: '"' | '\\';
  /** With `tolerateBadRows`: the first bad row found in the sample, said as the strict import would say it. */
  problem?: SiftError;
}

interface CsvRecord {
  line: number;
  fields: number;
}

/** Splits text into records (quote-aware); the last, possibly cut-off record is dropped unless `complete`. */
export function csvRecords(text: string, delimiter: string, complete: boolean, escape = '"'): CsvRecord[] {
  return scanRecords(text, delimiter, complete, escape).records;
}

/** The records, and the line of a quote still open at the end of the text (null when every quote closed). */
function scanRecords(
  text: string,
  delimiter: string,
  complete: boolean,
  escape = '"',
): { records: CsvRecord[]; openQuoteLine: number | null } {
  const records: CsvRecord[] = [];
  let quoteLine = 0;
  let fields = 1;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let recordHasContent = false;
  for (let i = 0; i < text.length && records.length < MAX_SAMPLE_RECORDS; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (escape !== '"' && ch === escape) {
        if (text[i + 1] === '\n') line++;
        i++; // the escaped character, whatever it is
      } else if (ch === '"') {
        if (escape === '"' && text[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (ch === '\n') line++;
      continue;
    }
    if (ch === '"') {
      inQuotes = true;
      quoteLine = line;
      recordHasContent = true;
    } else if (ch === delimiter) {
      fields++;
      recordHasContent = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      if (recordHasContent) records.push({ line: recordLine, fields });
      line++;
      recordLine = line;
      fields = 1;
      recordHasContent = false;
    } else if (ch !== ' ') {
      recordHasContent = true;
    }
  }
  if (complete && recordHasContent && !inQuotes && records.length < MAX_SAMPLE_RECORDS)
    records.push({ line: recordLine, fields });
  return { records, openQuoteLine: inQuotes && records.length < MAX_SAMPLE_RECORDS ? quoteLine : null };
}

function chooseDelimiter(text: string, complete: boolean, extensionHint: string): string {
  let best: { delimiter: string; score: number } = { delimiter: extensionHint === '.tsv' ? '\t' : ',', score: 0 };
  for (const delimiter of DELIMITERS) {
    const records = csvRecords(text, delimiter, complete);
    if (records.length === 0) continue;
    const headerFields = records[0]!.fields;
    if (headerFields < 2) continue;
    const consistent = records.filter((record) => record.fields === headerFields).length / records.length;
    // Prefer the delimiter that splits most rows the same way, then the one giving more columns.
    const score = consistent * 1000 + Math.min(headerFields, 999);
    const hinted = (extensionHint === '.tsv' && delimiter === '\t') || (extensionHint === '.csv' && delimiter === ',');
    if (score > best.score || (score === best.score && hinted)) best = { delimiter, score };
  }
  return best.delimiter;
}

/** Offset of the first byte that breaks UTF-8, ignoring a sequence cut off by the end of the sample. */
function firstInvalidUtf8(bytes: Uint8Array, complete: boolean): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    if (i + need >= bytes.length) return complete && need > 0 ? i : -1;
    for (let k = 1; k <= need; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The Unicode encoding a byte-order mark announces, or null. UTF-32 marks are checked before UTF-16's. */
export function byteOrderMark(sample: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' | null {
  const [a, b, c, d] = sample;
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return 'utf-32le';
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return 'utf-32be';
  if (a === 0xff && b === 0xfe) return 'utf-16le';
  if (a === 0xfe && b === 0xff) return 'utf-16be';
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8';
  return null;
}

export function looksBinary(sample: Uint8Array): boolean {
  if (sample.length === 0) return false;
  if (byteOrderMark(sample)?.startsWith('utf-32')) return false;
  const utf16 = (sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff);
  if (utf16) return false;
  let control = 0;
  const n = Math.min(sample.length, 65536);
  for (let i = 0; i < n; i++) {
    const b = sample[i]!;
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) control++;
  }
  return control / n > 0.05;
}

/**
 * `sample` is the start of the file; `complete` says whether it is the whole file.
 * Throws a SiftError naming `file` for every problem found in the sample.
 */
export function sniffCsv(
  file: string,
  sample: Uint8Array,
  complete: boolean,
  extension: string,
  encodingOverride?: CsvSniff['encoding'],
  tolerateBadRows = false,
  detected?: { delimiter: string; escape: string } | null,
): CsvSniff {
  if (sample.every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09)) {
    throw new SiftError({ code: 'IMPORT_EMPTY', message: `${file}: the file is empty (no header and no rows).`, file });
  }
  if (looksBinary(sample)) {
    throw new SiftError({
      code: 'IMPORT_BINARY',
      message: `${file}: this is a binary file, not delimited text (CSV/TSV).`,
      file,
    });
  }
  let encoding: CsvSniff['encoding'] = encodingOverride ?? 'utf-8';
  let text: string;
  if (!encodingOverride && ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff))) {
    encoding = 'utf-16';
  }
  if (encoding === 'utf-16') {
    text = new TextDecoder(sample[0] === 0xfe ? 'utf-16be' : 'utf-16le').decode(sample);
  } else if (encoding === 'latin-1') {
    text = new TextDecoder('latin1').decode(sample);
  } else {
    const bad = firstInvalidUtf8(sample, complete);
    if (bad >= 0) {
      const line = lineAt(sample, bad);
      throw new SiftError({
        code: 'IMPORT_BAD_ENCODING',
        message: `${file} line ${line}: the file is not valid UTF-8 (byte ${bad + 1}). If it is Latin-1, import it again with encoding latin-1.`,
        file,
        line,
      });
    }
    text = new TextDecoder('utf-8').decode(sample);
  }
  // DuckDB's sniffer names the delimiter and the escape when it can; Sift's own reading of the sample checks them.
  const delimiter =
    detected && (DELIMITERS as readonly string[]).includes(detected.delimiter)
      ? detected.delimiter
      : chooseDelimiter(text, complete, extension);
  const escape: CsvSniff['escape'] = detected?.escape === '\\' ? '\\' : '"';
  const { records, openQuoteLine } = scanRecords(text, delimiter, complete, escape);
  const fieldCount = records[0]?.fields ?? 1;
  let problem: SiftError | undefined;
  if (complete && openQuoteLine !== null) {
    problem = new SiftError({
      code: 'IMPORT_BAD_CSV',
      message: `${file} line ${openQuoteLine}: a quoted field opened here is never closed (an unterminated quote; the file may be truncated).`,
      file,
      line: openQuoteLine,
    });
  }
  const ragged = records.find((record) => record.fields !== fieldCount);
  if (!problem && ragged) {
    problem = new SiftError({
      code: 'IMPORT_BAD_CSV',
      message: `${file} line ${ragged.line}: row has ${ragged.fields} fields, expected ${fieldCount} like the header.`,
      file,
      line: ragged.line,
    });
  }
  // Bad rows stop a strict import here; an import that skips them lets DuckDB set each one aside with its reason.
  if (problem && !tolerateBadRows) throw problem;
  return { delimiter, encoding, fieldCount, escape, ...(problem ? { problem } : {}) };
}
