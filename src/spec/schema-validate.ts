import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema, NodeKind } from '../types/node-kind.js';
import type { Pipeline } from '../types/generated/pipeline.js';
import { ajvIssues } from './ajv-issues.js';
import { createAjv, validatorKey } from './ajv-setup.js';
import { nodeParamsSchema, schemaFiles } from './compose-schema.js';
import { samePath, type LocatedIssue } from './issues.js';
import { loadPrecompiled } from './precompiled.js';

let ajv: Ajv2020 | undefined;
let pipelineValidator: ValidateFunction<Pipeline> | undefined;
const paramsValidators = new WeakMap<NodeKind, ValidateFunction>();

export interface SchemaValidator<T = unknown> {
  readonly validate: ValidateFunction<T>;
  /** True when it came from dist/validators (built by scripts/compile-validators.js), false when ajv compiled it now. */
  readonly precompiled: boolean;
}

/**
 * The validator for `schema`: the one precompiled at build time under the same key, else compiled by
 * one ajv per process (local kinds, schemas edited since the build). Throws if the schema does not compile.
 */
export function schemaValidator<T = unknown>(schema: JsonSchema): SchemaValidator<T> {
  const precompiled = loadPrecompiled<T>(validatorKey(schema));
  if (precompiled) return { validate: precompiled, precompiled: true };
  ajv ??= createAjv();
  return { validate: ajv.compile<T>(schema), precompiled: false };
}

const noNodes = 'a pipeline needs at least one node';

export type ShapeResult = { readonly spec: Pipeline; readonly issues?: undefined } | { readonly spec?: undefined; readonly issues: LocatedIssue[] };

/** The pipeline file against schemas/pipeline.schema.json (node `with` values are checked per kind later). */
export function validatePipelineShape(value: unknown): ShapeResult {
  pipelineValidator ??= schemaValidator<Pipeline>(schemaFiles().pipeline).validate;
  if (pipelineValidator(value)) return { spec: value };
  return { issues: shapeIssues(pipelineValidator.errors, value) };
}

function shapeIssues(errors: ValidateFunction['errors'], value: unknown): LocatedIssue[] {
  const version: unknown = value !== null && typeof value === 'object' && 'version' in value ? value.version : undefined;
  return ajvIssues(errors, value).map((issue) => {
    if (samePath(issue.path, ['version']) && version !== undefined) {
      return { ...issue, message: `unsupported version ${JSON.stringify(version)}: this vaflow reads version 1` };
    }
    if (samePath(issue.path, ['nodes']) && /must not be empty|got null/.test(issue.message)) return { ...issue, message: noNodes };
    if (issue.path.length === 0 && (value === null || value === undefined)) return { ...issue, message: 'the file is empty: expected a pipeline (version, name, nodes)' };
    return issue;
  });
}

/** A node's `with` against the kind's params schema plus engine settings; paths relative to `with`. Throws if the kind's schema does not compile. */
export function validateParams(kind: NodeKind, params: unknown): LocatedIssue[] {
  let validate = paramsValidators.get(kind);
  if (!validate) {
    validate = schemaValidator(nodeParamsSchema(kind)).validate;
    paramsValidators.set(kind, validate);
  }
  return validate(params) ? [] : ajvIssues(validate.errors, params);
}
