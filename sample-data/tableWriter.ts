/**
 * Generators push rows into per-table CSV files (in chunks, so million-row runs stay small in memory);
 * DuckDB then types them, sorts them and writes one Parquet file per table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export type Field = string | number | boolean | null;

const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;

export class TableSink {
  private buffer: string[] = [];
  rows = 0;

  constructor(
    readonly file: string,
    readonly columns: Record<string, string>,
    readonly orderBy: string,
  ) {
    fs.writeFileSync(file, '');
  }

  push(fields: Field[]): void {
    this.buffer.push(fields.map((field) => (typeof field === 'string' ? quote(field) : field === null ? '' : String(field))).join(','));
    this.rows++;
    if (this.buffer.length >= 50_000) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    fs.appendFileSync(this.file, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }
}

export class SampleWriter {
  private readonly work = fs.mkdtempSync(path.join(os.tmpdir(), 'sift-gen-'));
  readonly tables = new Map<string, TableSink>();

  /** columns: name → DuckDB type, in output order. A column typed `FLOAT[]` or `JSON` is written as text and cast. */
  table(name: string, columns: Record<string, string>, orderBy: string): TableSink {
    const sink = new TableSink(path.join(this.work, `${name}.csv`), columns, orderBy);
    this.tables.set(name, sink);
    return sink;
  }

  async write(out: string): Promise<Record<string, number>> {
    fs.mkdirSync(out, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const counts: Record<string, number> = {};
    try {
      for (const [name, sink] of this.tables) {
        sink.flush();
        const readAs = Object.entries(sink.columns).map(([column, type]) => `'${column}': '${/\[\]$|^JSON$/.test(type) ? 'VARCHAR' : type}'`);
        const casts = Object.entries(sink.columns)
          .filter(([, type]) => /\[\]$|^JSON$/.test(type))
          .map(([column, type]) => `CAST(${column} AS ${type}) AS ${column}`);
        const select = casts.length > 0 ? `SELECT * REPLACE (${casts.join(', ')})` : 'SELECT *';
        await conn.run(
          `COPY (${select} FROM read_csv('${sink.file.replace(/'/g, "''")}', header = false, columns = {${readAs.join(', ')}}, quote = '"', escape = '"') ORDER BY ${sink.orderBy})
           TO '${path.join(out, `${name}.parquet`).replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION 'zstd', ROW_GROUP_SIZE 122880)`,
        );
        counts[name] = sink.rows;
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
      fs.rmSync(this.work, { recursive: true, force: true });
    }
    return counts;
  }
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC, which DuckDB reads as TIMESTAMP. */
export const timestampText = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
