import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPipeline } from '../../src/spec/index.js';
import { SpecError, formatIssue } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { runCli } from '../helpers/cli.js';

// The common YAML mistakes, each with the one line `vaflow validate` prints for it: where the mistake
// is (the quote or bracket left open, the line to re-indent) and what to do, in plain words.

const HEAD = 'version: 1\nname: slips\n';

const cases: Record<string, { readonly yaml: string; readonly expected: string }> = {
  'a line indented deeper than a key that already has a value': {
    yaml: `${HEAD}nodes:\n  faces:\n    kind: extract\n      with: { table: x.csv }\n`,
    expected: '5:11  a value cannot start a nested mapping here — did you mean to indent line 6 like "kind" (column 5)? ("kind" already has a value on this line, so the deeper line 6 cannot belong to it)',
  },
  'a key indented less than its siblings': {
    yaml: `${HEAD}nodes:\n  faces:\n    kind: extract\n   with: { table: x.csv }\n`,
    expected: '6:4  this line starts at column 4, out of line with the lines above (line 5 starts at column 5): keys of one mapping must start at the same column, since YAML nests by indentation',
  },
  'a key after a list item at the same indentation': {
    yaml: `${HEAD}nodes:\n  p:\n    needs:\n      - faces\n      kind: prompt-variant\n`,
    expected: '7:7  only list items can follow a list item ("- …") at the same indentation (line 6): start this line with "- " too, or indent it under the item',
  },
  'a tab used for indentation': {
    yaml: `${HEAD}nodes:\n  faces:\n\tkind: extract\n`,
    expected: '5:1  a tab indents this line: YAML indents with spaces only (replace the tab with spaces)',
  },
  'an unclosed double quote (reported at the quote, not at the end of the file)': {
    yaml: `${HEAD}description: "VA from faces\nnodes:\n  faces: { kind: extract }\n`,
    expected: '3:14  the " opened here is never closed: add the closing " (write a quote inside "…" as \\")',
  },
  'an unclosed single quote': {
    yaml: `${HEAD}description: 'it is\nnodes: {}\n`,
    expected: "3:14  the ' opened here is never closed: add the closing ' (write a quote inside '…' as '')",
  },
  'an unclosed quote inside a flow mapping (the quote, not the mapping around it)': {
    yaml: `${HEAD}nodes:\n  faces: { kind: "extract, with: { table: x.csv } }\n  other: { kind: extract }\n`,
    expected: '4:18  the " opened here is never closed: add the closing " (write a quote inside "…" as \\")',
  },
  'an unclosed bracket closed by the wrong one': {
    yaml: `${HEAD}nodes:\n  p: { kind: prompt-variant, needs: [faces }\n`,
    expected: '4:37  the [ opened here is never closed: add the missing ]; found } first',
  },
  'an unclosed brace': {
    yaml: `${HEAD}nodes:\n  faces: { kind: extract, with: { table: x.csv }\n  other: 1\n`,
    expected: '4:10  the { opened here is never closed: add the missing }',
  },
  'a flow list continued at its key’s indentation': {
    yaml: `${HEAD}nodes:\n  p:\n    needs: [faces,\n    terms]\n`,
    expected: '5:12  this [ … ] list goes on at line 6, which is indented no deeper than its key (column 5): indent line 6 further, or keep the [ … ] list on one line',
  },
  'a stray closing brace': {
    yaml: `${HEAD}nodes: { faces: { kind: extract } }}\n`,
    expected: '3:36  a } with no { before it: remove it',
  },
  'a duplicate key': {
    yaml: `${HEAD}models:\n  m:\n    provider: openai\n    model: gpt-4o-mini\n    provider: ollama\nnodes: {}\n`,
    expected: '7:5  models.m.provider: duplicate key "provider" (first defined on line 5): a mapping holds each key once',
  },
  'a colon and a space inside an unquoted value': {
    yaml: `${HEAD}description: Note: faces come from FER\nnodes: {}\n`,
    expected: '3:14  this value contains ": ", which would start a nested mapping: put the whole value in quotes (description: "Note: faces come from FER")',
  },
  'a colon inside an unquoted value in a flow mapping': {
    yaml: `${HEAD}nodes: { faces: { kind: extract, with: { note: a: b } } }\n`,
    expected: '3:48  inside { … } or [ … ], a value containing ": " must be quoted, and entries are separated by commas: is a comma missing, or a value unquoted?',
  },
  'a missing space after a colon on a top-level key': {
    yaml: `version: 1\nname:slips\nnodes: {}\n`,
    expected: '2:1  a space is missing after the colon: write "name: slips" (YAML reads "name:slips" as one word)',
  },
  'a missing space after a colon on a nested key (it parses, as one string)': {
    yaml: `${HEAD}nodes:\n  faces:\n    kind:extract\n`,
    expected: '5:5  nodes.faces: expected object, got string "kind:extract"; is a space missing after the colon? (write "kind: extract")',
  },
  'a missing space after a dash': {
    yaml: `${HEAD}nodes:\n  faces: { kind: extract, with: { table: x.csv } }\n  p:\n    kind: prompt-variant\n    needs:\n      -faces\n    with: { variants: { n: { format: numeric } } }\n`,
    expected: '8:7  nodes.p.needs: expected array, got string "-faces"; a list item needs a space after the dash ("- item")',
  },
  'a backslash escape that does not exist': {
    yaml: `${HEAD}description: "C:\\data"\nnodes: {}\n`,
    expected: '3:17  \\d is not an escape sequence inside "…": write \\\\ for a backslash, or use single quotes (\'…\'), inside which a backslash is just a backslash',
  },
};

/** Every line validate prints; a syntax error is the only one, a slip that parses is one among the schema's. */
async function issuesOf(file: string): Promise<string[]> {
  try {
    await loadPipeline(file);
  } catch (error) {
    assert.ok(error instanceof SpecError, String(error));
    return error.issues.map(formatIssue);
  }
  assert.fail('the pipeline loaded');
}

for (const [name, { yaml, expected }] of Object.entries(cases)) {
  test(`YAML slip: ${name}`, () =>
    withTempDir('yaml-errors', async (dir) => {
      const file = path.join(dir, 'p.yaml');
      await writeFile(file, yaml);
      const issues = await issuesOf(file);
      assert.ok(issues.includes(`${file}:${expected}`), issues.join('\n'));
      if (!/expected (object|array)/.test(expected)) assert.equal(issues.length, 1, 'one syntax error, not its echoes');
      assert.doesNotMatch(issues.join('\n'), /Implicit keys|compact mappings|sufficiently indented|Missing closing|YAMLParseError/, 'no raw parser wording');
    }));
}

test('a syntax error reaches the terminal as one positioned line, exit code 2, no stack trace', () =>
  withTempDir('yaml-errors', async (dir) => {
    await writeFile(path.join(dir, 'p.yaml'), cases['an unclosed brace'].yaml);
    for (const command of [['validate', 'p.yaml'], ['plan', 'p.yaml'], ['run', 'p.yaml', '--runs-dir', 'runs']]) {
      const result = await runCli(command, { cwd: dir });
      assert.equal(result.code, 2, command.join(' '));
      assert.equal(result.stderr, `p.yaml:${cases['an unclosed brace'].expected}\n`, command.join(' '));
    }
  }));
