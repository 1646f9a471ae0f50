/**
 * A small terminal emulator for what vaflow writes: printable characters with deferred line wrap at
 * `columns` (as xterm does), CR, LF (as CR LF, as with onlcr), ESC[2K (erase line), ESC[nF (cursor up n rows, column 1),
 * ESC[J (erase to the end of the screen). The cursor cannot move above the top of the visible screen
 * (the last `rows` rows), as on a real terminal. Any other escape sequence fails the test.
 */
export class VirtualTerminal {
  readonly #columns: number;
  readonly #rows: number;
  /** Every row ever written (scrollback included). */
  readonly #buffer: string[][] = [[]];
  #row = 0;
  #col = 0;
  #pendingWrap = false;
  /** Row where the logical line under the cursor began (a wrapped line spans several rows). */
  #lineStart = 0;
  /** Each time a line was too long for the width and wrapped: the text of its first row then. */
  readonly wraps: string[] = [];

  constructor(columns: number, rows: number) {
    this.#columns = columns;
    this.#rows = rows;
  }

  write(text: string): void {
    const chars = [...text];
    for (let i = 0; i < chars.length; i++) {
      const char = chars[i];
      if (char === '\x1b') {
        const rest = chars.slice(i + 1, i + 12).join('');
        const match = /^\[(\d*)([A-Za-z])/.exec(rest);
        if (!match) throw new Error(`unsupported escape sequence: ${JSON.stringify(rest)}`);
        this.#control(match[2], match[1] === '' ? undefined : Number(match[1]));
        i += match[0].length;
      } else if (char === '\r') {
        this.#col = 0;
        this.#pendingWrap = false;
      } else if (char === '\n') {
        // As a terminal with onlcr (the default) shows it: a newline also returns the carriage.
        this.#lineFeed();
        this.#col = 0;
        this.#pendingWrap = false;
      } else {
        if (this.#pendingWrap) {
          this.wraps.push(this.#buffer[this.#lineStart]?.join('') ?? '');
          const start = this.#lineStart;
          this.#lineFeed();
          this.#lineStart = start;
          this.#col = 0;
          this.#pendingWrap = false;
        }
        const line = this.#buffer[this.#row];
        while (line.length < this.#col) line.push(' ');
        line[this.#col] = char;
        if (this.#col === this.#columns - 1) this.#pendingWrap = true;
        else this.#col++;
      }
    }
  }

  #lineFeed(): void {
    this.#row++;
    if (this.#row === this.#buffer.length) this.#buffer.push([]);
    this.#lineStart = this.#row;
  }

  #top(): number {
    return Math.max(0, this.#buffer.length - this.#rows);
  }

  #control(command: string, n: number | undefined): void {
    this.#pendingWrap = false;
    if (command === 'K' && n === 2) this.#buffer[this.#row] = [];
    else if (command === 'F') {
      this.#row = Math.max(this.#top(), this.#row - (n ?? 1));
      this.#col = 0;
      this.#lineStart = this.#row;
    } else if (command === 'J' && (n ?? 0) === 0) {
      this.#buffer[this.#row].length = this.#col;
      this.#buffer.length = this.#row + 1;
    } else throw new Error(`unsupported escape sequence ESC[${n ?? ''}${command}`);
  }

  /** Every row, scrollback included, trailing spaces trimmed, without the empty row under the cursor. */
  lines(): string[] {
    const rows = this.#buffer.map((row) => row.join('').trimEnd());
    while (rows.length > 0 && rows.at(-1) === '') rows.pop();
    return rows;
  }
}
