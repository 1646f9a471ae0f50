import v8 from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent, for a run.
 *
 * Why: a run allocates garbage fast (each chat call, each record) and some of it lives long enough
 * to reach the old generation; V8's default lets that generation grow to up to 4× what survived the
 * last full collection before collecting again, and that, not live data, set the cold run's peak
 * RSS (≈ 250 MB at 10,000 calls, with 35–60 MB live). Measured on that run (BENCHMARKS.md,
 * "Throughput"): at 100 (the heap may double) the peak was 193–204 MB, at 75 188–194 MB, both for
 * a few more full collections whose CPU cost stayed inside the machine's noise; at 50, 183–189 MB
 * but ≈ 0.5 s more CPU of ≈ 7.5. It only changes when V8 collects; it frees nothing a run still uses.
 */
export const RUN_HEAP_GROWING_PERCENT = 75;

let applied = false;

/**
 * The V8 flag a run sets, or undefined when whoever started Node chose a value
 * (`--heap-growing-percent` in its arguments or in NODE_OPTIONS): theirs wins.
 */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  const chosen = (arg: string) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg);
  if (execArgv.some(chosen) || (nodeOptions ?? '').split(/\s+/).some(chosen)) return undefined;
  return `--heap-growing-percent=${RUN_HEAP_GROWING_PERCENT}`;
}

/** Applies heapGrowthFlag to this process, once. */
export function limitHeapGrowth(): void {
  if (applied) return;
  applied = true;
  const flag = heapGrowthFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (flag) v8.setFlagsFromString(flag);
}
