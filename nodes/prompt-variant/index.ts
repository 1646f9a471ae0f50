import type { AxisSpec, ItemContext, ItemKind, ItemResult, SpecIssue } from '../../src/types/node-kind.js';
import type { FlowRecord } from '../../src/types/records.js';
import { ConfigError, ItemError } from '../../src/errors.js';
import { readJsonBeside } from '../../src/util/paths.js';
import { BUILTIN_LABEL_SETS, resolveLabelSet, type LabelSet } from '../../src/labels/label-sets.js';
import type { PromptVariantParams, Variant } from './params.generated.js';
import { buildMessages, DEFAULT_MAX_LABELS, DEFAULT_WORD_LIMIT, type PromptSettings } from './messages.js';
import { unknownPlaceholders, PLACEHOLDERS } from './template.js';

/** Renders each `va` record into chat messages for one prompt variant. Cheap and pure: not cached. */
const promptVariant: ItemKind<PromptVariantParams> = {
  name: 'prompt-variant',
  version: '1',
  paramsSchema: readJsonBeside(import.meta.url, 'params.schema.json'),
  consumes: ['va'],
  produces: 'prompt',
  mode: 'item',
  cacheable: false,
  // Messages are a function of the params and each record's values: a rerun copies the earlier records.
  reusable: { code: import.meta.url, files: () => [] },

  axes(params): Readonly<Record<string, AxisSpec>> {
    return { variant: { param: 'variants', values: Object.keys(params.variants) } };
  },

  check(params): readonly SpecIssue[] {
    const labels = params.labels ?? DEFAULT_LABELS;
    const labelSet = resolveLabelSet(labels);
    if (!labelSet) {
      const name = typeof labels === 'string' ? labels : labels.name;
      return [{ path: ['with', 'labels'], message: `unknown label set "${name}" (built in: ${Object.keys(BUILTIN_LABEL_SETS).join(', ')}; or define one inline)` }];
    }
    return Object.entries(params.variants).flatMap(([name, variant]) => variantIssues({ name, variant, labelSet, task: params.task ?? 'classify' }));
  },

  async item(input: FlowRecord, ctx: ItemContext<PromptVariantParams>): Promise<ItemResult> {
    const settings = cachedSettings(ctx);
    const point = { valence: vaNumber(input, 'valence'), arousal: vaNumber(input, 'arousal') };
    return { fields: { messages: buildMessages(settings, point) } };
  },
};

export default promptVariant;

/** Describe prompts need no label set; classify prompts default to the basic emotions. */
const DEFAULT_LABELS = 'basic7';

// Settings depend only on the task (params + variant), so they are worked out once per task, not per item.
const settingsByTask = new WeakMap<object, Map<string | undefined, PromptSettings>>();

function cachedSettings(ctx: Pick<ItemContext<PromptVariantParams>, 'params' | 'coords'>): PromptSettings {
  let byVariant = settingsByTask.get(ctx.params);
  if (!byVariant) settingsByTask.set(ctx.params, (byVariant = new Map()));
  let settings = byVariant.get(ctx.coords.variant);
  if (!settings) byVariant.set(ctx.coords.variant, (settings = settingsFor(ctx)));
  return settings;
}

/** The task's prompt settings: its variant (coordinate `variant`), label set and limits. */
export function settingsFor(ctx: Pick<ItemContext<PromptVariantParams>, 'params' | 'coords'>): PromptSettings {
  const { params } = ctx;
  const names = Object.keys(params.variants);
  const name = ctx.coords.variant ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) throw new ConfigError(`this task has no variant coordinate (variants: ${names.join(', ')})`);
  const variant = Object.hasOwn(params.variants, name) ? params.variants[name] : undefined;
  if (!variant) throw new ConfigError(`variant "${name}" is not defined under with.variants (defined: ${names.join(', ')})`);
  const labelSet = resolveLabelSet(params.labels ?? DEFAULT_LABELS);
  if (!labelSet) throw new ConfigError(`unknown label set ${JSON.stringify(params.labels)}`);
  return {
    task: params.task ?? 'classify',
    labelSet,
    variant,
    maxLabels: params.maxLabels ?? DEFAULT_MAX_LABELS,
    wordLimit: params.wordLimit ?? DEFAULT_WORD_LIMIT,
  };
}

function vaNumber(input: FlowRecord, field: 'valence' | 'arousal'): number {
  const value = input[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ItemError(`item "${input.id}": ${field} is ${value === undefined ? 'missing' : JSON.stringify(value)}, expected a number in [-1, 1]`);
  }
  return value;
}

interface VariantCheck {
  readonly name: string;
  readonly variant: Variant;
  readonly labelSet: LabelSet;
  readonly task: 'classify' | 'describe';
}

function variantIssues({ name, variant, labelSet, task }: VariantCheck): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const key of ['template', 'system'] as const) {
    const text = variant[key];
    if (text === undefined) continue;
    const unknown = unknownPlaceholders(text);
    if (unknown.length > 0) {
      issues.push({
        path: ['with', 'variants', name, key],
        message: `unknown placeholder ${unknown.map((p) => `{{${p}}}`).join(', ')} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`,
      });
    }
  }
  if (variant.precision !== undefined && variant.format !== 'numeric') {
    issues.push({ path: ['with', 'variants', name, 'precision'], message: `precision applies to the numeric format only (this variant is ${variant.format})` });
  }
  if (task === 'classify') {
    const known = new Set(labelSet.labels.map((label) => label.toLowerCase()));
    (variant.fewShot ?? []).forEach((example, index) => {
      const answers = labelSet.multiLabel ? example.answer.split(',') : [example.answer];
      const strangers = answers.map((answer) => answer.trim()).filter((answer) => !known.has(answer.toLowerCase()));
      if (strangers.length > 0) {
        issues.push({
          path: ['with', 'variants', name, 'fewShot', index, 'answer'],
          message: `${strangers.map((s) => `"${s}"`).join(', ')} is not a label of ${labelSet.name} (${labelSet.labels.join(', ')})`,
        });
      }
    });
  }
  return issues;
}
