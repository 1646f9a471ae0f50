/**
 * Remembers which line each id was first seen on, in ~24 bytes per id instead of a Map's ~150:
 * ids are kept as 64-bit hashes (two FNV-1a variants) in an open-addressing table. Two different
 * ids collide with probability about n² / 2⁶⁵ (≈ 3·10⁻⁸ for a million ids), which would report a
 * false duplicate; that is the price of not holding every id string of a very large table.
 */
export class IdLineIndex {
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  /** Line + 1, so 0 marks an empty slot. */
  #line = new Uint32Array(1024);
  #size = 0;

  /** Records `id` at `line`; returns the line it was first seen on when it was seen before. */
  remember(id: string, line: number): number | undefined {
    if (this.#size * 2 >= this.#line.length) this.#grow();
    const [hi, lo] = hash64(id);
    const mask = this.#line.length - 1;
    for (let slot = lo & mask; ; slot = (slot + 1) & mask) {
      if (this.#line[slot] === 0) {
        this.#hi[slot] = hi;
        this.#lo[slot] = lo;
        this.#line[slot] = line + 1;
        this.#size++;
        return undefined;
      }
      if (this.#hi[slot] === hi && this.#lo[slot] === lo) return this.#line[slot] - 1;
    }
  }

  get size(): number {
    return this.#size;
  }

  #grow(): void {
    const [hi, lo, lines] = [this.#hi, this.#lo, this.#line];
    const capacity = lines.length * 2;
    this.#hi = new Uint32Array(capacity);
    this.#lo = new Uint32Array(capacity);
    this.#line = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === 0) continue;
      let slot = lo[i] & mask;
      while (this.#line[slot] !== 0) slot = (slot + 1) & mask;
      this.#hi[slot] = hi[i];
      this.#lo[slot] = lo[i];
      this.#line[slot] = lines[i];
    }
  }
}

function hash64(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a >>> 0, (b ^ text.length) >>> 0];
}
