// Loaded with `node --import` by the benchmarks: writes the process's peak RSS (KiB) at exit, and,
// when asked, its CPU time too (JSON: maxRssKb, userMs, systemMs).
import { writeFileSync } from 'node:fs';
const file = process.env.VAFLOW_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
const usageFile = process.env.VAFLOW_BENCH_USAGE_FILE;
if (usageFile) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(usageFile, JSON.stringify({ maxRssKb: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
  });
}
