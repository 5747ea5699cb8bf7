/**
 * Errors the host reports to the UI and the CLI. Each is a tagged record so callers can switch on `code`;
 * `message` is the sentence a person reads. No stack traces cross the boundary.
 */
export type SiftErrorCode =
  | 'BAD_REQUEST'
  | 'UNKNOWN_METHOD'
  | 'UNAUTHORIZED'
  /** The caller is known but this is not theirs to do (an annotator's token asking for the owner's methods). */
  | 'FORBIDDEN'
  | 'IMPORT_EMPTY'
  | 'IMPORT_BINARY'
  | 'IMPORT_BAD_ENCODING'
  | 'IMPORT_BAD_CSV'
  | 'IMPORT_BAD_PARQUET'
  | 'IMPORT_BAD_JSON'
  | 'IMPORT_LINE_TOO_LONG'
  | 'IMPORT_NOT_FOUND'
  | 'IMPORT_TABLE_EXISTS'
  | 'SQL_ERROR'
  | 'SQL_PROTECTED'
  | 'SQL_READ_ONLY'
  | 'SQL_REFUSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'ENGINE_STOPPED'
  | 'CANCELLED'
  | 'NOT_FOUND'
  | 'WORKSPACE_LOCKED'
  | 'WORKSPACE_MISSING'
  | 'INTERNAL';

export interface SiftErrorInfo {
  code: SiftErrorCode;
  message: string;
  /** The file the error is about, when there is one. */
  file?: string;
  /** 1-based line in a file or in the SQL text. */
  line?: number;
  /** 1-based column in the SQL text. */
  column?: number;
  /** 0-based character offset in the SQL text the user submitted. */
  position?: number;
}

export class SiftError extends Error {
  readonly info: SiftErrorInfo;
  constructor(info: SiftErrorInfo) {
    super(info.message);
    this.name = 'SiftError';
    this.info = info;
  }
}

export function isSiftErrorInfo(value: unknown): value is SiftErrorInfo {
  return (
    !(value instanceof Error) &&
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SiftErrorInfo).code === 'string' &&
    typeof (value as SiftErrorInfo).message === 'string'
  );
}

/** Turns anything thrown into the record that crosses the boundary. */
export function toErrorInfo(error: unknown): SiftErrorInfo {
  if (error instanceof SiftError) return error.info;
  if (isSiftErrorInfo(error)) return error;
  const systemError = error as { code?: unknown; path?: unknown; syscall?: unknown };
  if (error instanceof Error && typeof systemError.code === 'string' && typeof systemError.path === 'string') {
    // Node's file errors ("EISDIR: illegal operation on a directory, read") become a sentence naming the path.
    const problem = FILE_PROBLEMS[systemError.code] ?? error.message.replace(/^[A-Z]+: /, '');
    return {
      code: systemError.code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_REQUEST',
      message: `${systemError.path}: ${problem}.`,
      file: systemError.path,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: message || 'An unexpected error occurred (no detail was given).' };
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of this path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
};
