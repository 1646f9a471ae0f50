import { createRequire } from 'node:module';

/**
 * `@langchain/openai` (ChatOpenAI, OpenAIEmbeddings, the openai SDK client it re-exports) loaded
 * through its CommonJS build, which the package ships beside the ESM one. Why: Node 20's ESM loader
 * spends more per module than `require`, and this graph is some 700 modules (@langchain/core, the
 * openai SDK, langsmith, zod): 0.40–0.43 s of CPU to import as ESM against 0.27–0.33 s as CommonJS,
 * a fixed cost of every run that calls an OpenAI-compatible model (issue 15). The classes are the
 * same code. Every module of vaflow that needs this package takes it from here, so one process
 * never holds both builds (whose classes would be distinct: an error of one is no `instanceof` the
 * other's). Loaded on first import of this module: import it lazily, as the providers do.
 */
export const langchainOpenAI = createRequire(import.meta.url)('@langchain/openai') as typeof import('@langchain/openai');
