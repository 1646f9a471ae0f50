import { createReadStream } from 'node:fs';
import type { Hash } from 'node:crypto';
import { ConfigError } from '../../src/errors.js';

/** One physical line of a text file, decoded; `invalidUtf8` says where decoding failed (the text then holds U+FFFD there). */
export interface TextLine {
  /** 1-based line number. */
  readonly line: number;
  /** Without its line break (LF or CRLF). */
  readonly text: string;
  /** Set when the line's bytes are not valid UTF-8: a short description of the first bad byte. */
  readonly invalidUtf8?: string;
}

/** A line longer than this is not a table row (a binary file, a file without line breaks): reading stops with a ConfigError. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

// ignoreBOM keeps a byte order mark as U+FEFF: blocks are decoded one by one, and only line 1 may start with one.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** Offset and value of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Buffer): { offset: number; value: number } | undefined {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return { offset: i, value: b };
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return { offset: i, value: b };
    }
    i += length;
  }
  return undefined;
}

function decodeLine(bytes: Buffer): { text: string; invalidUtf8?: string } {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const byte = firstInvalidByte(bytes);
    const where = byte ? ` (byte 0x${byte.value.toString(16).toUpperCase().padStart(2, '0')} at byte ${byte.offset + 1} of the line)` : '';
    return { text: lenient.decode(bytes), invalidUtf8: `invalid UTF-8${where}; save the file as UTF-8` };
  }
}

/** The lines of `block` (whole lines, each ending in LF but the last): decoded at once, or line by line when the block is not valid UTF-8. */
function splitBlock(block: Buffer): { text: string; invalidUtf8?: string }[] {
  try {
    return strict.decode(block).split('\n').map((text) => ({ text }));
  } catch {
    const lines: { text: string; invalidUtf8?: string }[] = [];
    let from = 0;
    for (let at = block.indexOf(0x0a); at !== -1; at = block.indexOf(0x0a, from)) {
      lines.push(decodeLine(block.subarray(from, at)));
      from = at + 1;
    }
    lines.push(decodeLine(block.subarray(from)));
    return lines;
  }
}

/**
 * The lines of a file, split on LF (a CR before it dropped), a byte order mark on line 1 dropped,
 * in blocks of whole lines (one per chunk read). Each block is decoded at once; a block that is not
 * valid UTF-8 is decoded line by line, so only the lines with bad bytes are flagged. Memory holds one
 * block and one line. `digest`, when given, is fed every byte read, in order.
 */
export async function* readTextBlocks(options: { file: string; shown: string; signal?: AbortSignal; digest?: Hash }): AsyncGenerator<TextLine[]> {
  const input = createReadStream(options.file, { signal: options.signal });
  let pieces: Buffer[] = [];
  let pending = 0;
  let line = 0;
  const lines = (block: Buffer, final: boolean): TextLine[] => {
    const decoded = splitBlock(block);
    if (!final) decoded.pop(); // the empty text after the block's last LF
    return decoded.map(({ text: raw, invalidUtf8 }) => {
      line++;
      let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
      return invalidUtf8 ? { line, text, invalidUtf8 } : { line, text };
    });
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      options.digest?.update(chunk);
      const last = chunk.lastIndexOf(0x0a);
      if (last < 0) {
        pieces.push(chunk);
        pending += chunk.length;
        if (pending > MAX_LINE_BYTES) {
          throw new ConfigError(`${options.shown}:${line + 1}: the line is longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB; expected a text table with one row per line`);
        }
        continue;
      }
      const head = chunk.subarray(0, last + 1);
      const block = pieces.length ? Buffer.concat([...pieces, head]) : head;
      pieces = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
      pending = chunk.length - last - 1;
      yield lines(block, false);
    }
    if (pending > 0) yield lines(Buffer.concat(pieces), true);
  } finally {
    input.destroy();
  }
}
