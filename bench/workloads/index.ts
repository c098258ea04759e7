import type { Workload } from '../workload.js';
import { masterScaleWorkload } from './master-scale.js';
import { NATURAL_WORKLOADS } from './natural-wordcount.js';
import { runOverheadWorkload } from './run-overhead.js';
import { shuffleWorkload } from './shuffle.js';
import { tinyTasksWorkload } from './tiny-tasks.js';
import { totalSortWorkload } from './total-sort.js';
import { wordcountWorkload } from './wordcount.js';

/** The suite, in the order. */
export const WORKLOADS: readonly Workload[] = [
  wordcountWorkload,
  ...NATURAL_WORKLOADS,
  totalSortWorkload,
  tinyTasksWorkload,
  runOverheadWorkload,
  shuffleWorkload,
  masterScaleWorkload,
];
