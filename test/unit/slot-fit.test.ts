import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { planSplits, SplitPlan } from '../../master/index.js';
import { mulberry32 } from '../helpers/prng.js';
import type { InputFile } from '../../master/index.js';

const MiB = 1024 * 1024;
const defaultSize = 64 * MiB;

/** Every byte of every file is in exactly one split's pieces. */
function assertCovers(plan: SplitPlan, files: readonly InputFile[]): void {
  const covered = new Map<string, number>();
  for (let i = 0; i < plan.count; i++)
    for (const p of plan.split(i).pieces) covered.set(p.path, (covered.get(p.path) ?? 0) + p.length);
  for (const f of files) assert.equal(covered.get(f.path), f.size, f.path);
}

/** Files of about `size` bytes each, a little over or under, as a corpus cut at paragraph ends gives them. */
function filesOf(count: number, size: number, seed: number): InputFile[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => ({ path: `f${i}`, size: Math.round(size * (0.98 + 0.04 * rnd())) }));
}

test('files packed for 2 slots give 2 splits, not 2 and a small third for a second wave', () => {
  // 16 files of 6.25 MB: split = total / 2, and 8 files rarely fit exactly; the unfitted plan is 3 splits.
  for (const [count, size] of [
    [16, 6.25e6],
    [64, 1.5625e6],
    [2000, 12_500],
  ] as const) {
    for (let seed = 1; seed <= 5; seed++) {
      const files = filesOf(count, size, seed);
      const total = files.reduce((n, f) => n + f.size, 0);
      const unfitted = new SplitPlan(files, { chunkSize: Math.ceil(total / 2) });
      const plan = planSplits(files, { defaultSize, slots: 2 });
      assert.equal(plan.count, 2, `${count} files (seed ${seed}): ${plan.count} splits, unfitted ${unfitted.count}`);
      assertCovers(plan, files);
    }
  }
  // The case above does happen: without the stretch, this input is 3 splits.
  const files = [...filesOf(15, 6.25e6, 9), { path: 'big', size: 7e6 }];
  const total = files.reduce((n, f) => n + f.size, 0);
  assert.equal(new SplitPlan(files, { chunkSize: Math.ceil(total / 2) }).count, 3);
  assert.equal(planSplits(files, { defaultSize, slots: 2 }).count, 2);
});

test('a large file on 2 slots is cut into an even number of splits, each at most 10% over the chunk size', () => {
  const files = [{ path: 'one-gb', size: 1e9 }];
  assert.equal(new SplitPlan(files, { chunkSize: defaultSize }).count, 15, 'the unfitted plan has a lone last wave');
  const plan = planSplits(files, { defaultSize, slots: 2 });
  assert.equal(plan.count % 2, 0);
  for (let i = 0; i < plan.count; i++) assert.ok(plan.split(i).length <= defaultSize * 1.1 * 1.1);
  assertCovers(plan, files);
});

test('a chunk size the user gave is never stretched, and no plan gets more splits or fewer than the slots', () => {
  const files = filesOf(16, 6.25e6, 1);
  assert.equal(planSplits(files, { requested: 50e6, defaultSize, slots: 2 }).count, 3);
  const rnd = mulberry32(11);
  for (let round = 0; round < 200; round++) {
    const slots = 2 + Math.floor(rnd() * 7);
    const files = Array.from({ length: 1 + Math.floor(rnd() * 300) }, (_, i) => ({
      path: `r${i}`,
      size: Math.floor(rnd() * rnd() * 30e6),
    }));
    const total = files.reduce((n, f) => n + f.size, 0);
    const chunkSize = Math.min(defaultSize, Math.max(64 * 1024, Math.ceil(total / slots)));
    const unfitted = new SplitPlan(files, { chunkSize });
    const plan = planSplits(files, { defaultSize, slots });
    assert.ok(plan.count <= unfitted.count, `round ${round}: ${plan.count} > ${unfitted.count}`);
    if (plan.count !== unfitted.count) assert.equal(plan.count % slots, 0, `round ${round}`);
    if (unfitted.count >= slots) assert.ok(plan.count >= slots, `round ${round}`);
    assertCovers(plan, files);
  }
});
