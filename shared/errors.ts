/**
 * Errors the host reports to the UI and the CLI. Each is a tagged record so callers can switch on `code`;
 * `message` is the sentence a person reads. No stack traces cross the boundary.
 */
export type SiftErrorCode =
  | 'BAD_REQUEST'
  | 'UNKNOWN_METHOD'
  | 'UNAUTHORIZED'
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
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
}
