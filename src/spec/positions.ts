import { isAlias, isCollection, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { SpecPath } from './issues.js';

export interface LineCol {
  readonly line: number;
  readonly col: number;
}

interface Resolved {
  readonly node: unknown;
  /** The key node of the pair holding `node`, when it sits in a map. */
  readonly key: YamlNode | null;
  /** How many path segments were found in the document. */
  readonly depth: number;
}

function keyMatches(key: unknown, segment: string | number): boolean {
  return isScalar(key) && String(key.value) === String(segment);
}

function rangeStart(node: unknown): number | undefined {
  return isScalar(node) || isCollection(node) || isAlias(node) ? node.range?.[0] : undefined;
}

/** Maps paths inside a parsed document to 1-based line and column. */
export class Positions {
  readonly #doc: Document | null;
  readonly #lineCounter: LineCounter;

  constructor(doc: Document | null, lineCounter: LineCounter) {
    this.#doc = doc;
    this.#lineCounter = lineCounter;
  }

  lineCol(offset: number): LineCol {
    const { line, col } = this.#lineCounter.linePos(offset);
    return { line: Math.max(1, line), col: Math.max(1, col) };
  }

  /**
   * Where `path` sits. `key` targets the key itself (an unknown key). A block collection or an empty
   * value is shown at its key, the line a reader looks for; a path that does not exist falls back to
   * its nearest existing parent.
   */
  positionOf(path: SpecPath, target: 'key' | 'value' = 'value'): LineCol {
    return this.lineCol(this.offsetOf(path, target));
  }

  offsetOf(path: SpecPath, target: 'key' | 'value' = 'value'): number {
    const found = this.#resolve(path);
    const keyStart = found.key ? rangeStart(found.key) : undefined;
    if (target === 'key' && found.depth === path.length && keyStart !== undefined) return keyStart;
    const node = found.node;
    const empty = node === null || node === undefined || (isScalar(node) && node.value === null && node.source === '');
    const blockCollection = isCollection(node) && !node.flow;
    if ((empty || blockCollection) && keyStart !== undefined) return keyStart;
    return rangeStart(node) ?? keyStart ?? 0;
  }

  #resolve(path: SpecPath): Resolved {
    let node: unknown = this.#doc?.contents ?? null;
    let key: YamlNode | null = null;
    let depth = 0;
    for (const segment of path) {
      const target = isAlias(node) && this.#doc ? node.resolve(this.#doc) : node;
      if (isMap(target)) {
        const pair = target.items.find((item) => keyMatches(item.key, segment));
        if (!pair) break;
        key = isScalar(pair.key) ? pair.key : null;
        node = pair.value;
      } else if (isSeq(target) && typeof segment === 'number' && segment < target.items.length) {
        key = null;
        node = target.items[segment];
      } else {
        break;
      }
      depth++;
    }
    return { node, key, depth };
  }
}

export interface KeyAt {
  /** Path of the map holding the key. */
  readonly mapPath: SpecPath;
  readonly key: string;
}

/** The key starting at `offset` and the path of its map (for duplicate-key errors). */
export function keyAt(doc: Document, offset: number): KeyAt | undefined {
  const search = (node: unknown, path: (string | number)[]): KeyAt | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (rangeStart(pair.key) === offset) return { mapPath: path, key: isScalar(pair.key) ? String(pair.key.value) : '?' };
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        const inner = search(pair.value, [...path, key]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (const [i, item] of node.items.entries()) {
        const inner = search(item, [...path, i]);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return search(doc.contents, []);
}
