// The best entries of a stream by score, without sorting the stream: a bounded min-heap over typed arrays. Pure.

/** The best `limit` entries pushed, by score; `id` is any number the caller maps back (a passage, a row). */
export class TopScores {
  readonly #scores: Float32Array;
  readonly #ids: Float64Array;
  #size = 0;

  constructor(readonly limit: number) {
    this.#scores = new Float32Array(limit);
    this.#ids = new Float64Array(limit);
  }

  /** The lowest score kept, or -Infinity while there is room. */
  get floor(): number {
    return this.#size < this.limit ? Number.NEGATIVE_INFINITY : (this.#scores[0] ?? Number.NEGATIVE_INFINITY);
  }

  push(id: number, score: number): void {
    if (this.#size < this.limit) {
      this.#scores[this.#size] = score;
      this.#ids[this.#size] = id;
      this.#siftUp(this.#size);
      this.#size += 1;
    } else if (score > (this.#scores[0] ?? Number.NEGATIVE_INFINITY)) {
      this.#scores[0] = score;
      this.#ids[0] = id;
      this.#siftDown(0);
    }
  }

  /** The entries kept, best first; equal scores by id, so the order never depends on the order pushed. */
  sorted(): Array<{ id: number; score: number }> {
    const entries: Array<{ id: number; score: number }> = [];
    for (let i = 0; i < this.#size; i += 1) entries.push({ id: this.#ids[i] ?? 0, score: this.#scores[i] ?? 0 });
    return entries.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  #swap(a: number, b: number): void {
    [this.#scores[a], this.#scores[b]] = [this.#scores[b] ?? 0, this.#scores[a] ?? 0];
    [this.#ids[a], this.#ids[b]] = [this.#ids[b] ?? 0, this.#ids[a] ?? 0];
  }

  #siftUp(at: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.#scores[parent] ?? 0) <= (this.#scores[at] ?? 0)) return;
      this.#swap(at, parent);
      at = parent;
    }
  }

  #siftDown(at: number): void {
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < this.#size && (this.#scores[left] ?? 0) < (this.#scores[least] ?? 0)) least = left;
      if (right < this.#size && (this.#scores[right] ?? 0) < (this.#scores[least] ?? 0)) least = right;
      if (least === at) return;
      this.#swap(at, least);
      at = least;
    }
  }
}
