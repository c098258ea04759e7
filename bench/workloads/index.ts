import type { Workload } from '../workload.js';
import { masterScaleWorkload } from './master-scale.js';
import { shuffleWorkload } from './shuffle.js';
import { tinyTasksWorkload } from './tiny-tasks.js';
import { totalSortWorkload } from './total-sort.js';
import { wordcountWorkload } from './wordcount.js';

/** The suite, in the order. */
export const WORKLOADS: readonly Workload[] = [
  wordcountWorkload,
  totalSortWorkload,
  tinyTasksWorkload,
  shuffleWorkload,
  masterScaleWorkload,
];
