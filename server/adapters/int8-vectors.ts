// A block of vectors in memory as int8 (a quarter of float32's bytes), scanned with WebAssembly SIMD: the fast
// first pass of a vector query, whose best candidates are then rescored exactly in float32.

import { INT8_SCAN_WASM } from './int8-scan-module.ts';

/** The kernel's lane width: vectors are padded with zeros to a multiple of it. */
const LANES = 16;
/** The query's int16 scale: large, so that the error comes from the vectors' int8 alone. */
const QUERY_SCALE = 32_767;

const scanModule = new WebAssembly.Module(Buffer.from(INT8_SCAN_WASM, 'base64'));

interface ScanExports {
  memory: WebAssembly.Memory;
  scan(vectors: number, query: number, count: number, dimension: number, out: number): void;
}

/** A vector dimension padded to the kernel's lane width. */
export function paddedDimension(dimension: number): number {
  return Math.ceil(dimension / LANES) * LANES;
}

/** A query ready for {@link Int8Block.scan}: widened to int16, padded, with the scale to undo. */
export interface ScanQuery {
  values: Int16Array;
  /** Approximate dot product = kernel output / (vector scale × this). */
  scale: number;
}

/** Scales a unit query vector to int16 for the kernel. */
export function scanQueryOf(vector: readonly number[] | Float32Array, dimension: number): ScanQuery {
  const values = new Int16Array(paddedDimension(dimension));
  let largest = 0;
  for (let d = 0; d < dimension; d += 1) largest = Math.max(largest, Math.abs(vector[d] ?? 0));
  const scale = largest > 0 ? QUERY_SCALE / largest : 1;
  for (let d = 0; d < dimension; d += 1) values[d] = Math.round((vector[d] ?? 0) * scale);
  return { values, scale };
}

/** The stored form of a block: int8 rows (padded), one scale per row. */
export interface Int8Rows {
  dimension: number;
  values: Int8Array;
  scales: Float32Array;
}

/** Quantizes float32 rows (`dimension` each) to int8, each row by its own scale (127 over its largest value). */
export function quantizeRows(rows: Float32Array, dimension: number): Int8Rows {
  const count = rows.length / dimension;
  const padded = paddedDimension(dimension);
  const values = new Int8Array(count * padded);
  const scales = new Float32Array(count);
  for (let row = 0; row < count; row += 1) {
    let largest = 0;
    for (let d = 0; d < dimension; d += 1) largest = Math.max(largest, Math.abs(rows[row * dimension + d] ?? 0));
    const scale = largest > 0 ? 127 / largest : 1;
    scales[row] = scale;
    for (let d = 0; d < dimension; d += 1) values[row * padded + d] = Math.round((rows[row * dimension + d] ?? 0) * scale);
  }
  return { dimension, values, scales };
}

/** Int8 rows held in a WebAssembly instance's memory, with a scan that scores all of them against a query. */
export class Int8Block {
  readonly count: number;
  readonly dimension: number;
  readonly #padded: number;
  readonly #scales: Float32Array;
  readonly #exports: ScanExports;
  readonly #queryOffset: number;
  readonly #outOffset: number;

  constructor(rows: Int8Rows) {
    this.dimension = rows.dimension;
    this.#padded = paddedDimension(rows.dimension);
    this.count = rows.scales.length;
    this.#scales = rows.scales;
    this.#exports = new WebAssembly.Instance(scanModule).exports as unknown as ScanExports;
    const vectorBytes = this.count * this.#padded;
    this.#queryOffset = align(vectorBytes);
    this.#outOffset = align(this.#queryOffset + 2 * this.#padded);
    const needed = this.#outOffset + 4 * this.count;
    const memory = this.#exports.memory;
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65_536));
    new Int8Array(memory.buffer, 0, vectorBytes).set(rows.values.subarray(0, vectorBytes));
  }

  /** Approximate dot products of every row with `query`, into `scores` (length ≥ count). */
  scan(query: ScanQuery, scores: Float32Array): void {
    const out = this.scanRaw(query);
    for (let row = 0; row < this.count; row += 1) scores[row] = (out[row] ?? 0) / ((this.#scales[row] ?? 1) * query.scale);
  }

  /**
   * The kernel's raw sums for every row (a view, valid until the next scan): divided by the row's scale times the
   * query's, they are the approximate dot products. For a caller that looks at few rows closely.
   */
  scanRaw(query: ScanQuery): Int32Array {
    const { memory, scan } = this.#exports;
    new Int16Array(memory.buffer, this.#queryOffset, this.#padded).set(query.values);
    scan(0, this.#queryOffset, this.count, this.#padded, this.#outOffset);
    return new Int32Array(memory.buffer, this.#outOffset, this.count);
  }

  /** Each row's quantization scale. */
  get scales(): Float32Array {
    return this.#scales;
  }
}

function align(offset: number): number {
  return Math.ceil(offset / 16) * 16;
}
