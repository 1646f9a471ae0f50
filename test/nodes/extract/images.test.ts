import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { imageItems } from '../../../nodes/extract/images.js';
import extract from '../../../nodes/extract/index.js';
import type { ExtractParams } from '../../../nodes/extract/params.generated.js';
import { convertFaceChannel } from '../../../src/facechannel/convert.js';
import { decodeImage, faceChannelInput, loadSharp } from '../../../src/facechannel/preprocess.js';
import { authorsRegion } from '../../../src/facechannel/crops.js';
import { loadFaceApi } from '../../../src/facechannel/face-api.js';
import { openFaceChannel } from '../../../src/facechannel/session.js';
import { packageRoot } from '../../../src/util/paths.js';
import type { SourceWork } from '../../../src/types/node-kind.js';
import { collect, collectSource, taskContext, type SettledSourceItem } from '../../helpers/kind-context.js';
import { writeFaceChannelH5 } from '../../facechannel/fixtures.js';
import { withTempDir } from '../../helpers/temp-dir.js';

/** Real photos with faces: shipped in @vladmandic/face-api 1.7.15 (MIT), demo/sample1.jpg … sample6.jpg. */
const DEMO = path.join(packageRoot, 'node_modules', '@vladmandic', 'face-api', 'demo');
const PHOTO = path.join(DEMO, 'sample3.jpg');

/** The photo, plus one broken or faceless image of every kind the issue names. */
async function writeImages(dir: string): Promise<void> {
  const sharp = await loadSharp();
  const faces = path.join(dir, 'faces');
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

function byId(items: SettledSourceItem[]): Map<string, SettledSourceItem> {
  return new Map(items.map((i) => [i.id, i]));
}

test('expression-mixture: the photo yields VA in [-1, 1]; every broken or faceless image is an item error naming its file', async () => {
  await withTempDir('images', async (dir) => {
    await writeImages(dir);
    const params: ExtractParams = { images: 'faces', labels: 'labels.csv', backend: 'expression-mixture' };
    const items = byId(await collectSource(imageItems(params, taskContext({ params, specDir: dir }))));
    assert.deepEqual([...items.keys()], ['empty.jpg', 'noface.webp', 'photo.jpg', 'text.jpg', 'tiny.png', 'truncated.jpg'], 'ids are relative to the images folder, in order');
    const photo = items.get('photo.jpg');
    assert.ok(photo && 'fields' in photo, `photo: ${photo && 'error' in photo ? photo.error.message : 'missing'}`);
    const f = photo.fields;
    for (const key of ['valence', 'arousal'] as const) {
      const v = f[key];
      assert.ok(typeof v === 'number' && v >= -1 && v <= 1, `${key} ${String(v)}`);
    }
    assert.equal(f.path, 'photo.jpg');
    assert.equal(f.vaSource, 'expression-mixture');
    assert.equal(f.backend, 'expression-mixture');
    assert.match(JSON.stringify(f.extracted), /Warriner/);
    assert.deepEqual(f.annotated, { valence: 0.8, arousal: 0.3 });
    assert.equal(f.label, 'happiness');
    const box = f.box as { x: number; y: number; width: number; height: number };
    assert.ok(box.width > 50 && box.height > 50 && Number.isInteger(box.x) && Number.isInteger(box.width), JSON.stringify(box));
    for (const [id, pattern] of [
      ['truncated.jpg', /cannot decode/],
      ['empty.jpg', /cannot decode/],
      ['text.jpg', /cannot decode/],
      ['tiny.png', /no face detected \(1×1 image\)/],
      ['noface.webp', /no face detected/],
    ] as const) {
      const item = items.get(id);
      assert.ok(item && 'error' in item, `${id} should be an item error`);
      assert.match(item.error.message, new RegExp(`^${id.replace('.', '\\.')}: `));
      assert.match(item.error.message, pattern);
    }
  });
});

test('facechannel backend: ONNX inference on the whole image, model or annotated VA by the vaSource coordinate', async () => {
  await withTempDir('images', async (dir) => {
    await writeImages(dir);
    const h5 = path.join(dir, 'fc.h5');
    await writeFaceChannelH5({ file: h5, seed: 3 });
    await convertFaceChannel({ input: h5, output: path.join(dir, 'fc.onnx') });
    const base: ExtractParams = { images: 'faces/*.{jpg,png}', labels: 'labels.csv', model: 'fc.onnx', detectFaces: false, vaSource: ['model', 'annotation'] };
    const asModel = byId(await collectSource(imageItems(base, taskContext({ params: base, specDir: dir, coords: { vaSource: 'model' } }))));
    // detectFaces off: the 1×1 image is a valid (if useless) input; the undecodable ones still fail.
    assert.deepEqual([...asModel.keys()], ['empty.jpg', 'photo.jpg', 'text.jpg', 'tiny.png', 'truncated.jpg'], "ids are relative to the glob's folder");
    const photo = asModel.get('photo.jpg');
    const tiny = asModel.get('tiny.png');
    assert.ok(photo && 'fields' in photo && tiny && 'fields' in tiny);
    assert.equal(photo.fields.vaSource, 'facechannel');
    assert.equal(photo.fields.box, null);
    assert.notEqual(photo.fields.valence, tiny.fields.valence);
    assert.deepEqual(photo.fields.extracted, { valence: photo.fields.valence, arousal: photo.fields.arousal, source: 'facechannel' });

    const asAnnotation = byId(await collectSource(imageItems(base, taskContext({ params: base, specDir: dir, coords: { vaSource: 'annotation' } }))));
    const annotated = asAnnotation.get('photo.jpg');
    assert.ok(annotated && 'fields' in annotated);
    assert.equal(annotated.fields.vaSource, 'annotation');
    assert.equal(annotated.fields.valence, 0.8);
    assert.deepEqual(annotated.fields.extracted, photo.fields.extracted);
    const noAnnotation = asAnnotation.get('tiny.png');
    assert.ok(noAnnotation && 'error' in noAnnotation);
    assert.match(noAnnotation.error.message, /^tiny\.png: vaSource is annotation/);
  });
});

test("facechannel with detection: the network sees the authors' crop of the largest face, no margin", async () => {
  await withTempDir('images', async (dir) => {
    await mkdir(path.join(dir, 'faces'));
    await copyFile(PHOTO, path.join(dir, 'faces', 'photo.jpg'));
    await writeFaceChannelH5({ file: path.join(dir, 'fc.h5'), seed: 4 });
    await convertFaceChannel({ input: path.join(dir, 'fc.h5'), output: path.join(dir, 'fc.onnx') });
    const params: ExtractParams = { images: 'faces', model: 'fc.onnx' };
    const [item] = await collectSource(imageItems(params, taskContext({ params, specDir: dir })));
    assert.ok('fields' in item, 'error' in item ? item.error.message : '');

    const image = await decodeImage(await readFile(PHOTO));
    const [largest] = await (await loadFaceApi()).detectFaces(image);
    const crop = authorsRegion(largest.box, image);
    assert.deepEqual(item.fields.box, crop);
    assert.equal(item.fields.detectionScore, largest.score);
    const [expected] = await (await openFaceChannel(path.join(dir, 'fc.onnx'))).run([faceChannelInput(image, crop)]);
    assert.deepEqual({ valence: item.fields.valence, arousal: item.fields.arousal }, expected);
  });
});

test("expression-mixture reads the demo photos' laughing faces as happy (face-api's expression net gets its detector's box)", async () => {
  await withTempDir('images', async (dir) => {
    // The largest face of each: sample1 the laughing woman on the right, sample3 the smiling woman in
    // the middle, sample5 the laughing woman at the bottom left, sample6 the smiling woman on the left.
    const laughing = ['sample1.jpg', 'sample3.jpg', 'sample5.jpg', 'sample6.jpg'];
    await mkdir(path.join(dir, 'demo'));
    for (const file of laughing) await copyFile(path.join(DEMO, file), path.join(dir, 'demo', file));
    const params: ExtractParams = { images: 'demo', backend: 'expression-mixture' };
    const items = await collectSource(imageItems(params, taskContext({ params, specDir: dir })));
    assert.deepEqual(items.map((i) => i.id), laughing);
    for (const item of items) {
      assert.ok('fields' in item, `${item.id}: ${'error' in item ? item.error.message : ''}`);
      const expressions = item.fields.expressions as Record<string, number>;
      const [top, p] = Object.entries(expressions).sort((a, b) => b[1] - a[1])[0];
      assert.equal(top, 'happy', `${item.id}: ${JSON.stringify(expressions)}`);
      assert.ok(p > 0.9, `${item.id}: happy only ${p}`);
      // happy's reference point is valence +0.87: a confident reading lands near it.
      assert.ok((item.fields.valence as number) > 0.6, `${item.id}: valence ${String(item.fields.valence)}`);
    }
  });
});

test('ids are paths under the images root, the same from wherever the pipeline file sits; labels by id or unambiguous base name', async () => {
  await withTempDir('images', async (dir) => {
    const sharp = await loadSharp();
    const png = (colour: string) => sharp({ create: { width: 8, height: 8, channels: 3, background: colour } }).png().toBuffer();
    for (const sub of ['set/a', 'set/b', 'pipelines/deep']) await mkdir(path.join(dir, sub), { recursive: true });
    await writeFile(path.join(dir, 'set', 'a', 'one.png'), await png('#102030'));
    await writeFile(path.join(dir, 'set', 'b', 'one.png'), await png('#405060'));
    await writeFile(path.join(dir, 'set', 'b', 'two.png'), await png('#708090'));
    await writeFile(path.join(dir, 'labels.csv'), 'file,label\na/one.png,happiness\ntwo.png,sadness\none.png,anger\n');

    const run = async (specDir: string, prefix: string) => {
      const params: ExtractParams = { images: `${prefix}set/**/*.png`, labels: `${prefix}labels.csv`, backend: 'expression-mixture', detectFaces: false };
      return collect(imageItems(params, taskContext({ params, specDir })));
    };
    const fromRoot = await run(dir, '');
    const fromDeep = await run(path.join(dir, 'pipelines', 'deep'), '../../');
    assert.deepEqual(fromRoot.map((w) => w.id), ['a/one.png', 'b/one.png', 'b/two.png']);
    assert.deepEqual(fromDeep.map((w) => w.id), fromRoot.map((w) => w.id), 'moving the pipeline file keeps the ids');
    const keys = (items: typeof fromRoot) => items.map((w) => ('key' in w ? w.key : null));
    assert.deepEqual(keys(fromDeep), keys(fromRoot), '... and the cache keys');

    // Labels: `a/one.png` by its id, `two.png` by its (unique) base name; `one.png` would name two images.
    const [first, second, third] = fromRoot;
    assert.ok('compute' in first && 'compute' in third, 'labelled images are work units');
    assert.notDeepEqual(first.key, third.key, 'different image content, different key');
    const value = { face: 'whole-image', region: null, detectionScore: null, expressions: { neutral: 1, happy: 0, sad: 0, angry: 0, fearful: 0, disgusted: 0, surprised: 0 } };
    assert.equal(first.finish(value).label, 'happiness');
    assert.equal(third.finish(value).label, 'sadness');
    assert.ok('error' in second, 'an ambiguous base name is an item error');
    assert.match(second.error.message, /^b\/one\.png: the labels row "one\.png" matches 2 images \(a\/one\.png, b\/one\.png\)/);
  });
});

test('validate: a missing images folder, a glob that matches nothing, a missing model, facechannel without a model', async () => {
  await withTempDir('images', async (dir) => {
    await mkdir(path.join(dir, 'faces'));
    await writeFile(path.join(dir, 'faces', 'notes.txt'), 'no images here\n');
    const check = (params: ExtractParams) => extract.check!(params, { spec: { version: 1, name: 't', nodes: {} }, nodeId: 'faces', specDir: dir });
    assert.deepEqual(await check({ images: 'missing', backend: 'expression-mixture' }), [
      { path: ['with', 'images'], message: `folder not found: missing (resolved to ${path.join(dir, 'missing')})` },
    ]);
    assert.deepEqual(await check({ images: 'nowhere/*.jpg', backend: 'expression-mixture' }), [
      { path: ['with', 'images'], message: `folder not found: nowhere (the folder of nowhere/*.jpg, resolved to ${path.join(dir, 'nowhere')})` },
    ]);
    assert.deepEqual(await check({ images: 'faces', backend: 'expression-mixture' }), [
      { path: ['with', 'images'], message: `no image files (jpg, jpeg, png, webp) in the folder faces (resolved to ${path.join(dir, 'faces')})` },
    ]);
    assert.deepEqual(await check({ images: 'faces/*.jpg', backend: 'expression-mixture' }), [
      { path: ['with', 'images'], message: `no image files match faces/*.jpg (resolved against ${dir})` },
    ]);
    await writeFile(path.join(dir, 'faces', 'a.jpg'), 'not checked for content at validation\n');
    assert.deepEqual(await check({ images: 'faces', model: 'models/fc.onnx' }), [
      { path: ['with', 'model'], message: `file not found: models/fc.onnx (resolved to ${path.join(dir, 'models', 'fc.onnx')})` },
    ]);
    assert.match((await check({ images: 'faces' })).map((i) => i.message).join('\n'), /backend facechannel needs `model`/);
    assert.deepEqual(await check({ images: 'faces', backend: 'expression-mixture' }), []);
  });
});
