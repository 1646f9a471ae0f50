import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, type TemplateValues } from '../../../nodes/prompt-variant/template.js';
import { ConfigError } from '../../../src/errors.js';

const values = (valence: string): TemplateValues => ({ va: `v=${valence}`, valence, arousal: '-0.30', labels: 'a, b', maxLabels: '3', wordLimit: '50' });

test('a template renders its literal text around every placeholder, repeated ones and ones at either end too', () => {
  const template = '{{valence}} then {{ arousal }}, {{valence}} again; {{labels}}';
  assert.equal(renderTemplate(template, values('0.52')), '0.52 then -0.30, 0.52 again; a, b');
  assert.equal(renderTemplate('no placeholder at all', values('0.52')), 'no placeholder at all');
  assert.equal(renderTemplate('{{maxLabels}}', values('0.52')), '3');
});

test('the same template rendered again takes the new values (the compiled form holds no item)', () => {
  const template = 'V={{valence}} | {{va}} | {{wordLimit}} words.';
  assert.equal(renderTemplate(template, values('0.10')), 'V=0.10 | v=0.10 | 50 words.');
  assert.equal(renderTemplate(template, values('-0.90')), 'V=-0.90 | v=-0.90 | 50 words.');
});

test('values and literal text are inserted as they are: no $-patterns, braces that are no placeholder stay', () => {
  const odd: TemplateValues = { ...values('$&'), arousal: '$1 $$ $`' };
  assert.equal(renderTemplate('{ {{valence}} } {{arousal}} {x} $&', odd), '{ $& } $1 $$ $` {x} $&');
});

test('an unknown placeholder is a ConfigError naming it, each time the template is rendered', () => {
  for (let i = 0; i < 2; i++) {
    assert.throws(() => renderTemplate('{{valence}} and {{mood}}', values('0.52')), (error: unknown) =>
      error instanceof ConfigError && error.message.includes('{{mood}}') && error.message.includes('{{valence}}'));
  }
});
