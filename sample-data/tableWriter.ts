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

/** An output column: its name and DuckDB type, and (for a column not generated) the SQL that fills it. */
export type OutputColumn = [name: string, type: string, fill?: string];

export class TableSink {
  private buffer: string[] = [];
  rows = 0;

  constructor(
    readonly file: string,
    readonly columns: Record<string, string>,
    readonly orderBy: string,
    /** The written table's columns in order, when they differ from the generated ones (see discourseSchema.ts). */
    readonly layout?: OutputColumn[],
  ) {
    fs.writeFileSync(file, '');
  }

  push(fields: Field[]): void {
    this.buffer.push(
      fields.map((field) => (typeof field === 'string' ? quote(field) : field === null ? '' : String(field))).join(','),
    );
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
  table(name: string, columns: Record<string, string>, orderBy: string, layout?: OutputColumn[]): TableSink {
    if (layout) {
      const missing = Object.keys(columns).filter((column) => !layout.some(([name]) => name === column));
      if (missing.length > 0)
        throw new Error(`${name}: generated column(s) ${missing.join(', ')} are not in its layout`);
      const unfilled = layout
        .filter(([column, , fill]) => fill === undefined && !(column in columns))
        .map(([column]) => column);
      if (unfilled.length > 0)
        throw new Error(`${name}: layout column(s) ${unfilled.join(', ')} are neither generated nor filled`);
    }
    const sink = new TableSink(path.join(this.work, `${name}.csv`), columns, orderBy, layout);
    this.tables.set(name, sink);
    return sink;
  }

  async write(out: string): Promise<Record<string, number>> {
    fs.mkdirSync(out, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const counts: Record<string, number> = {};
    const target = (name: string) => `'${path.join(out, `${name}.parquet`).replace(/'/g, "''")}'`;
    const format = `(FORMAT parquet, COMPRESSION 'zstd', ROW_GROUP_SIZE 122880)`;
    try {
      // A layout's fills may read any generated table, so with layouts every table is loaded before any is written.
      const layouts = [...this.tables.values()].some((sink) => sink.layout);
      for (const [name, sink] of this.tables) {
        sink.flush();
        const readAs = Object.entries(sink.columns).map(
          ([column, type]) => `'${column}': '${/\[\]$|^JSON$/.test(type) ? 'VARCHAR' : type}'`,
        );
        const casts = Object.entries(sink.columns)
          .filter(([, type]) => /\[\]$|^JSON$/.test(type))
          .map(([column, type]) => `CAST(${column} AS ${type}) AS ${column}`);
        const select = `${casts.length > 0 ? `SELECT * REPLACE (${casts.join(', ')})` : 'SELECT *'} FROM read_csv('${sink.file.replace(/'/g, "''")}', header = false, columns = {${readAs.join(', ')}}, quote = '"', escape = '"')`;
        if (layouts) await conn.run(`CREATE TABLE ${name} AS ${select}`);
        else await conn.run(`COPY (${select} ORDER BY ${sink.orderBy}) TO ${target(name)} ${format}`);
        counts[name] = sink.rows;
      }
      for (const [name, sink] of layouts ? this.tables : []) {
        const columns = sink.layout
          ? sink.layout.map(([column, type, fill]) => `CAST(${fill ?? column} AS ${type}) AS ${column}`).join(',\n  ')
          : '*';
        await conn.run(`COPY (SELECT ${columns} FROM ${name} ORDER BY ${sink.orderBy}) TO ${target(name)} ${format}`);
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
export const timestampText = (ms: number) =>
  new Date(Math.round(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
