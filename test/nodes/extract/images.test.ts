import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { imageItems } from '../../../nodes/extract/images.js';
import type { ExtractParams } from '../../../nodes/extract/params.generated.js';
import { convertFaceChannel } from '../../../src/facechannel/convert.js';
import { loadSharp } from '../../../src/facechannel/preprocess.js';
import { packageRoot } from '../../../src/util/paths.js';
import type { SourceItem } from '../../../src/types/node-kind.js';
import { collect, taskContext } from '../../helpers/kind-context.js';
import { writeFaceChannelH5 } from '../../facechannel/fixtures.js';
import { withTempDir } from '../../helpers/temp-dir.js';

/** A real photo with faces: shipped in @vladmandic/face-api 1.7.15 (MIT), demo/sample3.jpg. */
const PHOTO = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo', 'sample3.jpg');

/** The photo, plus one broken or faceless image of every kind the issue names. */
async function writeImages(dir: string): Promise<void> {
  const sharp = await loadSharp();
  const faces = path.join(dir, 'faces');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(faces);
  await copyFile(PHOTO, path.join(faces, 'photo.jpg'));
  const jpeg = await readFile(PHOTO);
  await writeFile(path.join(faces, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  await writeFile(path.join(faces, 'empty.jpg'), Buffer.alloc(0));
  await writeFile(path.join(faces, 'text.jpg'), 'this is a text file, not a JPEG\n');
  await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toFile(path.join(faces, 'tiny.png'));
  const gradient = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240"><defs><linearGradient id="g"><stop offset="0" stop-color="#123"/><stop offset="1" stop-color="#9cf"/></linearGradient></defs><rect width="320" height="240" fill="url(#g)"/></svg>`;
  await sharp(Buffer.from(gradient)).webp().toFile(path.join(faces, 'noface.webp'));
  await writeFile(path.join(dir, 'labels.csv'), 'file,label,annotated_valence,annotated_arousal\nphoto.jpg,happiness,0.8,0.3\nnoface.webp,neutral,,\n');
}

function byId(items: SourceItem[]): Map<string, SourceItem> {
  return new Map(items.map((i) => [i.id, i]));
}

test('expression-mixture: the photo yields VA in [-1, 1]; every broken or faceless image is an item error naming its file', async () => {
  await withTempDir('images', async (dir) => {
    await writeImages(dir);
    const params: ExtractParams = { images: 'faces', labels: 'labels.csv', backend: 'expression-mixture', batchSize: 2 };
    const items = byId(await collect(imageItems(params, taskContext({ params, specDir: dir }))));
    assert.equal(items.size, 6);
    const photo = items.get('faces/photo.jpg');
    assert.ok(photo && 'fields' in photo, `photo: ${photo && 'error' in photo ? photo.error.message : 'missing'}`);
    const f = photo.fields;
    for (const key of ['valence', 'arousal'] as const) {
      const v = f[key];
      assert.ok(typeof v === 'number' && v >= -1 && v <= 1, `${key} ${String(v)}`);
    }
    assert.equal(f.vaSource, 'expression-mixture');
    assert.equal(f.backend, 'expression-mixture');
    assert.match(JSON.stringify(f.extracted), /Warriner/);
    assert.deepEqual(f.annotated, { valence: 0.8, arousal: 0.3 });
    assert.equal(f.label, 'happiness');
    const box = f.box as { x: number; y: number; width: number; height: number };
    assert.ok(box.width > 50 && box.height > 50, JSON.stringify(box));
    for (const [id, pattern] of [
      ['faces/truncated.jpg', /cannot decode/],
      ['faces/empty.jpg', /cannot decode/],
      ['faces/text.jpg', /cannot decode/],
      ['faces/tiny.png', /no face detected \(1×1 image\)/],
      ['faces/noface.webp', /no face detected/],
    ] as const) {
      const item = items.get(id);
      assert.ok(item && 'error' in item, `${id} should be an item error`);
      assert.match(item.error.message, new RegExp(`^${id.replace('.', '\\.')}: `));
      assert.match(item.error.message, pattern);
    }
  });
});

test('facechannel backend: batched ONNX inference, model or annotated VA by the vaSource coordinate', async () => {
  await withTempDir('images', async (dir) => {
    await writeImages(dir);
    const h5 = path.join(dir, 'fc.h5');
    await writeFaceChannelH5({ file: h5, seed: 3 });
    await convertFaceChannel({ input: h5, output: path.join(dir, 'fc.onnx') });
    const base: ExtractParams = { images: 'faces/*.{jpg,png}', labels: 'labels.csv', model: 'fc.onnx', detectFaces: false, batchSize: 2, vaSource: ['model', 'annotation'] };
    const asModel = byId(await collect(imageItems(base, taskContext({ params: base, specDir: dir, coords: { vaSource: 'model' } }))));
    // detectFaces off: the 1×1 image is a valid (if useless) input; the undecodable ones still fail.
    assert.deepEqual([...asModel.keys()].sort(), ['faces/empty.jpg', 'faces/photo.jpg', 'faces/text.jpg', 'faces/tiny.png', 'faces/truncated.jpg']);
    const photo = asModel.get('faces/photo.jpg');
    const tiny = asModel.get('faces/tiny.png');
    assert.ok(photo && 'fields' in photo && tiny && 'fields' in tiny);
    assert.equal(photo.fields.vaSource, 'facechannel');
    assert.equal(photo.fields.box, null);
    assert.notEqual(photo.fields.valence, tiny.fields.valence);
    assert.deepEqual(photo.fields.extracted, { valence: photo.fields.valence, arousal: photo.fields.arousal, source: 'facechannel' });

    const asAnnotation = byId(await collect(imageItems(base, taskContext({ params: base, specDir: dir, coords: { vaSource: 'annotation' } }))));
    const annotated = asAnnotation.get('faces/photo.jpg');
    assert.ok(annotated && 'fields' in annotated);
    assert.equal(annotated.fields.vaSource, 'annotation');
    assert.equal(annotated.fields.valence, 0.8);
    assert.deepEqual(annotated.fields.extracted, photo.fields.extracted);
    const noAnnotation = asAnnotation.get('faces/tiny.png');
    assert.ok(noAnnotation && 'error' in noAnnotation);
    assert.match(noAnnotation.error.message, /^faces\/tiny\.png: vaSource is annotation/);
  });
});
