import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GraphBuilder, attr, decodeModel, encodeModel, floatTensor, int64Tensor, writeModel } from '../../src/onnx/index.js';

test('a written graph runs in onnxruntime-node with the expected values', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-onnx-'));
  try {
    const g = new GraphBuilder('tiny');
    const x = g.input('x', 'float', ['batch', 3]);
    const w = g.initializer(floatTensor('w', [2, 3], [1, 2, 3, -1, 0.5, 0]));
    const b = g.initializer(floatTensor('b', [2], [0.25, -0.5]));
    const y = g.op('Gemm', [x, w, b], { attributes: { transB: attr.int(1), alpha: attr.float(1) } });
    const shape = g.initializer(int64Tensor('shape', [2], [-1, 1]));
    const mean = g.op('ReduceMean', [y, g.initializer(int64Tensor('axes', [1], [1]))], { attributes: { keepdims: attr.int(0) } });
    g.op('Reshape', [mean, shape], { output: 'mean' });
    g.output(y, 'float', ['batch', 2]);
    g.output('mean', 'float', ['batch', 1]);
    const file = path.join(dir, 'sub', 'tiny.onnx');
    await writeModel(file, g.build(), { opset: 18, metadata: { purpose: 'test' } });

    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 2, 0, -2]), [2, 3]) });
    const yv = Array.from(out[y].data as Float32Array);
    // row 1: [1+2+3+0.25, -1+0.5+0-0.5] ; row 2: [2-6+0.25, -2+0-0.5]
    assert.deepEqual(yv, [6.25, -1, -3.75, -2.5]);
    assert.deepEqual(Array.from(out.mean.data as Float32Array), [2.625, -3.125]);
    assert.deepEqual(out.mean.dims, [2, 1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('encode → decode keeps ops, typed attributes and metadata', () => {
  const g = new GraphBuilder('attrs');
  const x = g.input('x', 'float', [1, 1, 4, 4]);
  g.output(g.op('MaxPool', [x], { attributes: { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, output: 'y' }), 'float', [1, 1, 2, 2]);
  const model = decodeModel(encodeModel(g.build(), { metadata: { k: 'v' } }));
  const graph = model.graph as { node: { op_type: string; attribute: { name: string; ints: number[]; type: number }[] }[] };
  assert.equal(graph.node[0].op_type, 'MaxPool');
  assert.deepEqual(graph.node[0].attribute.map((a) => [a.name, a.type, a.ints]), [['kernel_shape', 7, [2, 2]], ['strides', 7, [2, 2]]]);
  assert.deepEqual(model.metadata_props, [{ key: 'k', value: 'v' }]);
});

test('a tensor whose data does not fill its dims, or a name defined twice, is refused', () => {
  assert.throws(() => floatTensor('w', [2, 2], [1, 2, 3]), /dims \[2, 2\] need 4 values, got 3/);
  const g = new GraphBuilder('dup');
  g.input('x', 'float', [1]);
  assert.throws(() => g.initializer(floatTensor('x', [1], [0])), /"x" is defined twice/);
});
