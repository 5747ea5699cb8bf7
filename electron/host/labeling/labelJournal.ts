/**
 * The label journal: an append-only file of JSON lines in the workspace's `.sift/` folder, the one durable record
 * of labeling (events, sessions, batches). An append resolves only once its lines are written and fsynced (what
 * journalWriter.ts's "acknowledged ⇒ on disk" stands on), so a crash or `kill -9` at any moment loses nothing an
 * append resolved. Appends that arrive while an fsync is in flight are written together and share the next fsync
 * (group commit), which is what makes thousands of durable events a second possible on an ordinary disk.
 *
 * A crash can leave the last line half-written; its append never resolved, so opening the journal cuts it off.
 * A damaged line anywhere else is an error that names the file and the line: Sift never guesses past it.
 *
 * One append is all-or-nothing: several records appended together (a labeling action over three categories, an
 * imported pack, a policy migration) follow a `{"t":"group","n":N}` line, and opening the journal cuts a group that
 * does not hold all N records — a kill in the middle of a large write leaves none of it, never its first part.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SiftError } from '../../../shared/errors.js';

/** The journal's file in the workspace's `.sift/` folder. */
export const JOURNAL_FILE = 'labels.journal';

/** The record that opens a group of records appended together; it is framing only, never returned to a reader. */
const GROUP = 'group';

/** A line of the journal as read: its kind, and fields this file does not look at (journalRecords.ts types them). */
export interface JournalRecord {
  /** What the record is: a label event, a session, a batch handed to an annotator. */
  t: string;
  [field: string]: unknown;
}

interface PendingAppend {
  text: string;
  resolve(): void;
  reject(error: unknown): void;
}

export class LabelJournal {
  private fd: number;
  private size: number;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    readonly file: string,
    fd: number,
    size: number,
  ) {
    this.fd = fd;
    this.size = size;
  }

  /** Opens (creating) the journal and returns it with every record it holds, in order. */
  static open(file: string): { journal: LabelJournal; records: JournalRecord[] } {
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644);
    try {
      if (!existed) fsyncFolder(path.dirname(file));
      const { records, validBytes, size } = readRecords(fd, file);
      if (validBytes < size) {
        // The tail of a write a crash interrupted: never acknowledged, so cutting it loses nothing.
        fs.ftruncateSync(fd, validBytes);
        fs.fsyncSync(fd);
      }
      return { journal: new LabelJournal(file, fd, validBytes), records };
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** The length of the journal's complete records on disk (a torn tail cut off at open is not counted). */
  get bytes(): number {
    return this.size;
  }

  /** Resolves once every record is on disk (written and fsynced), in the order given; all of them or, after a crash, none. */
  append<R extends { t: string }>(records: readonly R[]): Promise<void> {
    if (this.closed)
      return Promise.reject(new SiftError({ code: 'WORKSPACE_MISSING', message: 'The label journal is closed.' }));
    const framed = records.length > 1 ? [{ t: GROUP, n: records.length }, ...records] : records;
    const text = framed.map((record) => `${JSON.stringify(record)}\n`).join('');
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /**
   * Writes what is queued, group after group, until the queue is empty. It marks itself finished in the same step as
   * its last look at the queue: an append made by a caller woken by the last group then starts a new flush (a
   * `.finally` would clear the mark a step later, after that append found it set, and leave the append waiting forever).
   */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0);
        const bytes = Buffer.from(group.map((entry) => entry.text).join(''), 'utf8');
        try {
          await writeAll(this.fd, bytes);
          await new Promise<void>((resolve, reject) =>
            fs.fdatasync(this.fd, (error) => (error ? reject(error) : resolve())),
          );
          this.size += bytes.length;
          for (const entry of group) entry.resolve();
        } catch (error) {
          // Take back whatever part of the group reached the file, so the next append starts on a clean line.
          try {
            fs.ftruncateSync(this.fd, this.size);
          } catch {
            // The disk is failing; the error below says so.
          }
          const failure = new SiftError({
            code: 'INTERNAL',
            message: `Could not save to the label journal ${this.file}: ${(error as Error).message}. Nothing from this save was kept.`,
            file: this.file,
          });
          for (const entry of group) entry.reject(failure);
        }
      }
    } finally {
      this.flushing = null;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flushing;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

async function writeAll(fd: number, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const written = await new Promise<number>((resolve, reject) =>
      fs.write(fd, bytes, offset, bytes.length - offset, null, (error, n) => (error ? reject(error) : resolve(n))),
    );
    offset += written;
  }
}

/** A new file's name is durable only once its folder is synced too. */
function fsyncFolder(folder: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Not every platform can sync a folder (Windows); the file's own fsync still holds its contents.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

function readRecords(fd: number, file: string): { records: JournalRecord[]; validBytes: number; size: number } {
  const size = fs.fstatSync(fd).size;
  const records: JournalRecord[] = [];
  if (size === 0) return { records, validBytes: 0, size };
  const buffer = Buffer.alloc(size);
  let read = 0;
  while (read < size) read += fs.readSync(fd, buffer, read, size - read, read);
  let start = 0;
  let line = 0;
  // The open group: where its first line starts and how many of its records are still to come.
  let group: { start: number; recordsBefore: number; missing: number } | null = null;
  const torn = (at: number) =>
    group
      ? { records: records.slice(0, group.recordsBefore), validBytes: group.start, size }
      : { records, validBytes: at, size };
  while (start < size) {
    const end = buffer.indexOf(0x0a, start);
    line++;
    if (end < 0) return torn(start); // a torn last line
    const text = buffer.toString('utf8', start, end);
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      record = null;
    }
    if (!record || typeof record !== 'object' || typeof (record as JournalRecord).t !== 'string') {
      // A complete line that does not parse is damage, unless it is the last line (a torn write's tail).
      if (end === size - 1) return torn(start);
      throw new SiftError({
        code: 'INTERNAL',
        message: `The label journal ${file} is damaged at line ${line}: it is not a journal record. Sift will not guess past it; restore the file from a backup.`,
        file,
        line,
      });
    }
    const journalRecord = record as JournalRecord;
    if (journalRecord.t === GROUP && !group) {
      const n = Number(journalRecord.n);
      if (Number.isInteger(n) && n > 0) group = { start, recordsBefore: records.length, missing: n };
    } else {
      records.push(journalRecord);
      if (group && --group.missing === 0) group = null;
    }
    start = end + 1;
  }
  return group ? torn(size) : { records, validBytes: size, size };
}
