import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { NodeKind } from '../types/node-kind.js';
import type { Pipeline } from '../types/generated/pipeline.js';
import { ajvIssues } from './ajv-issues.js';
import { nodeParamsSchema, schemaFiles } from './compose-schema.js';
import { samePath, type LocatedIssue } from './issues.js';

let ajv: Ajv2020 | undefined;
let pipelineValidator: ValidateFunction<Pipeline> | undefined;
const paramsValidators = new WeakMap<NodeKind, ValidateFunction>();

/** An absolute URL with a scheme and `//` (WHATWG URL alone accepts `localhost:8080` as scheme `localhost:`). */
function isUrl(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) return false;
  try {
    return Boolean(new URL(text));
  } catch {
    return false;
  }
}

/** One ajv per process, with the shared definitions registered; schemas compile once and are reused. */
function getAjv(): Ajv2020 {
  if (!ajv) {
    // validateSchema off: checking each schema against the 2020-12 meta-schema costs more than half of compile time.
    ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, validateSchema: false });
    // ajv-formats is not installed; "uri" is the only format the schemas use.
    ajv.addFormat('uri', { type: 'string', validate: isUrl });
    ajv.addSchema(schemaFiles().defs);
  }
  return ajv;
}

const noNodes = 'a pipeline needs at least one node';

export type ShapeResult = { readonly spec: Pipeline; readonly issues?: undefined } | { readonly spec?: undefined; readonly issues: LocatedIssue[] };

/** The pipeline file against schemas/pipeline.schema.json (node `with` values are checked per kind later). */
export function validatePipelineShape(value: unknown): ShapeResult {
  pipelineValidator ??= getAjv().compile<Pipeline>(schemaFiles().pipeline);
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
    validate = getAjv().compile(nodeParamsSchema(kind));
    paramsValidators.set(kind, validate);
  }
  return validate(params) ? [] : ajvIssues(validate.errors, params);
}
