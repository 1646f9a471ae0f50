#!/usr/bin/env node
// Precompiles the validators `vaflow validate` needs (the pipeline schema and each built-in kind's params
// schema with engine settings) into dist/validators/<key>.cjs with ajv's standalone code, so validating a
// pipeline neither loads ajv nor generates code. Runs after `tsc` (npm run build / prepare / test); a schema
// edited since then hashes to another key and is compiled at run time as before.
import { builtinSchemas, writePrecompiledValidators } from '../dist/src/spec/precompile.js';

const written = await writePrecompiledValidators(await builtinSchemas());
console.log(`compile-validators: ${written.length} validators → dist/validators (${written.map((v) => v.name).join(', ')})`);
