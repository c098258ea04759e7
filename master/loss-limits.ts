/**
 * How many times one reduce may fail to fetch map outputs before its job fails. A fetch
 * failure is not the reduce's fault and is not charged as a failed attempt, but a map
 * output that can never be fetched (a worker advertising an address the others cannot
 * reach) would otherwise be recomputed and refetched forever. Only fetches of outputs the
 * master still counted as held are counted; 16 leaves room for a reducer that races a few
 * worker deaths the master has not seen yet (the chaos test kills one about every second).
 */
export const MAX_FETCH_FAILURES_PER_TASK = 16;

/**
 * How many times one task's committed output may be lost (its worker left, or reducers
 * could not fetch it) before its job fails: each loss recomputes the task, so without a
 * bound a worker that keeps flapping would keep a job running forever. A loss costs at
 * least a worker's death or a heartbeat timeout, so the bound is generous: the chaos test,
 * which kills a worker about every second, loses one map's output a dozen times and more
 * on a busy machine. Fetch failures alone end a job much sooner (MAX_FETCH_FAILURES_PER_TASK).
 */
export const MAX_OUTPUT_LOSSES_PER_TASK = 64;
