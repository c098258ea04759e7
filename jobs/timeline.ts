import { defineJob } from 'groove-mr';

/**
 * Secondary sort (docs/sorting.md): input lines `USER TIME EVENT` (TIME a number), output
 * one record per user, `USER<TAB>TIME:EVENT TIME:EVENT ...`, the user's events in time
 * order, however the input was ordered.
 *
 *     mr run jobs/timeline.ts --input events.txt
 *
 * The key is `[user, time]`, so the shuffle sorts by user, then time; `groupPrefix: 1`
 * groups (and partitions) by user alone, so reduce is called once per user, with the
 * values in time order and `ctx.valueKey` the `[user, time]` each came with. Nothing is
 * sorted or held in memory by the job itself.
 */
type EventKey = [user: string, time: number] | [user: string];

export default defineJob<EventKey, string, string, string>({
  name: 'timeline',
  map(line, emit) {
    const [user, time, event] = line.split(' ');
    if (user === undefined || time === undefined || event === undefined) return;
    emit([user, Number(time)], event);
  },
  reduce([user], events, emit, ctx) {
    const out: string[] = [];
    for (const event of events) out.push(`${(ctx.valueKey as EventKey)[1]}:${event}`);
    emit(user, out.join(' '));
  },
  groupPrefix: 1,
});
