// `vaflow validate` on a 50-node pipeline, whole process, against bare `node` startup in the same run.
// Also times, interleaved in the same rounds: the CLI alone (`vaflow --version`), and what precompiled
// validators save (loading ajv and compiling the three schemas this pipeline needs, as validate did before).
// Run: npm run build && node dist/bench/validate.js [runs=15] [--idle-bare=0.04] [--baseline-root=DIR]
// --baseline-root times DIR/bin/vaflow.js validate as well: another built copy of vaflow (say, one without
// dist/validators, which then compiles every schema at run time) for a before/after in the same rounds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/util/paths.js';
import { BIN, machine, median, timeNode } from './lib.js';

const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 15);
const flag = (name: string): string | undefined => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
// Bare `node -e 0` on this machine when idle; only used to turn ratios into an estimate, printed as such.
const idleBare = Number(flag('idle-bare') ?? 0.04);
const baselineRoot = flag('baseline-root');

const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-bench-validate-'));
writeFileSync(path.join(dir, 't.csv'), 'id,valence,arousal\na,0.1,0.2\n');
const nodes = ['  faces: { kind: extract, with: { table: t.csv } }'];
for (let i = 1; i < 50; i++) {
  nodes.push(`  p${i}: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric }, lexical: { format: lexical } } } }`);
}
const pipelineFile = path.join(dir, 'p.yaml');
writeFileSync(pipelineFile, `version: 1\nname: fifty\nnodes:\n${nodes.join('\n')}\n`);

// CPU time (user + system) of each child, written at exit: less sensitive than wall time to waiting for a core.
const cpuHook = path.join(dir, 'cpu-hook.mjs');
writeFileSync(cpuHook, `import { writeFileSync } from 'node:fs';
process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.VAFLOW_BENCH_CPU_FILE, String((u.user + u.system) / 1e6)); });
`);
const cpuFile = path.join(dir, 'cpu');

// The schemas `validate` needs for this pipeline, made as validate makes them; with `compile`, ajv loads and compiles them too.
const dist = (file: string): string => JSON.stringify(pathToFileURL(path.join(packageRoot, 'dist/src', file)).href);
const schemasScript = path.join(dir, 'schemas.mjs');
writeFileSync(schemasScript, `const { loadKind } = await import(${dist('kinds.js')});
const { nodeParamsSchema, schemaFiles } = await import(${dist('spec/compose-schema.js')});
const kinds = await Promise.all(['extract', 'prompt-variant'].map((name) => loadKind(name, ${JSON.stringify(packageRoot)})));
const schemas = [schemaFiles().pipeline, ...kinds.map(nodeParamsSchema)];
if (process.argv.includes('compile')) {
  const { createAjv } = await import(${dist('spec/ajv-setup.js')});
  const ajv = createAjv();
  for (const schema of schemas) ajv.compile(schema);
}
`);

const cases = {
  'bare node -e 0': ['-e', '0'],
  'vaflow --version': [BIN, '--version'],
  'vaflow validate (50 nodes)': [BIN, 'validate', pipelineFile],
  'schemas, no ajv': [schemasScript],
  'schemas + ajv compile': [schemasScript, 'compile'],
  'validate, baseline build': baselineRoot ? [path.join(path.resolve(baselineRoot), 'bin', 'vaflow.js'), 'validate', pipelineFile] : [],
} satisfies Record<string, string[]>;
type CaseName = keyof typeof cases;
const names = (Object.keys(cases) as CaseName[]).filter((name) => cases[name].length > 0);
const wall = new Map<CaseName, number[]>(names.map((name) => [name, []]));
const cpu = new Map<CaseName, number[]>(names.map((name) => [name, []]));

function once(name: CaseName): void {
  const result = timeNode(['--import', cpuHook, ...cases[name]], { env: { VAFLOW_BENCH_CPU_FILE: cpuFile } });
  if (result.code !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  wall.get(name)?.push(result.seconds);
  cpu.get(name)?.push(Number(readFileSync(cpuFile, 'utf8')));
}

for (const name of names) once(name); // warm the file cache; not counted
for (const name of names) {
  wall.set(name, []);
  cpu.set(name, []);
}
for (let i = 0; i < runs; i++) for (const name of names) once(name);
rmSync(dir, { recursive: true, force: true });

const med = (values: Map<CaseName, number[]>, name: CaseName): number => median(values.get(name) ?? []);
const bareWall = med(wall, 'bare node -e 0');
const bareCpu = med(cpu, 'bare node -e 0');
console.log(`machine: ${machine()}, nproc ${os.availableParallelism()}`);
console.log(`median of ${runs} interleaved runs each; ratio = median / median of bare node in this run`);
console.log('case                          wall s   ratio   cpu s   ratio');
for (const name of names) {
  const w = med(wall, name);
  const c = med(cpu, name);
  console.log(`${name.padEnd(28)}  ${w.toFixed(3)}  ${(w / bareWall).toFixed(2).padStart(5)}×  ${c.toFixed(3)}  ${(c / bareCpu).toFixed(2).padStart(5)}×`);
}
const validateName: CaseName = 'vaflow validate (50 nodes)';
const saved = (values: Map<CaseName, number[]>): number => med(values, 'schemas + ajv compile') - med(values, 'schemas, no ajv');
console.log(
  `precompiled validators save ≈ ${saved(wall).toFixed(3)} s wall (${(saved(wall) / bareWall).toFixed(2)}× bare), ` +
    `≈ ${saved(cpu).toFixed(3)} s cpu (${(saved(cpu) / bareCpu).toFixed(2)}× bare) per process here`,
);
const wallRatio = med(wall, validateName) / bareWall;
const cpuRatio = med(cpu, validateName) / bareCpu;
console.log(
  `estimate for an idle machine (bare node ${idleBare} s, assumed): validate ≈ ${(wallRatio * idleBare).toFixed(2)} s by the wall ratio, ` +
    `≈ ${(cpuRatio * idleBare).toFixed(2)} s by the cpu ratio (target ≤ 0.3 s)`,
);
