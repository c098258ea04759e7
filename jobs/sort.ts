import { defineJob } from 'groove-mr';

/**
 * Total-order sort of text records whose first KEY_CHARS characters are the key (the
 * gensort layout: 10-byte key, payload, line end), printed `KEY<TAB>PAYLOAD`. Nothing to
 * pass: the split points of the partitions are sampled from the input at submit
 * (`totalOrder`, docs/sorting.md), so the part files read in partition order are globally
 * sorted by key (code point order, `LC_ALL=C sort`'s byte order for UTF-8 text).
 *
 *     mr run jobs/sort.ts --input records/ --partitions 4 --output sorted/
 *     cat sorted/part-* | sed 's/\t//'     # LC_ALL=C sort records/*, for distinct keys
 *
 * As in TeraSort, only the key is compared: records with equal keys come out in input
 * order (map task by map task), which is `sort`'s order when the keys are distinct, as
 * gensort's are. The reduce is the identity, so the reducers copy records as bytes.
 */
const KEY_CHARS = 10;

export default defineJob<string, string>({
  name: 'sort',
  map(record, emit) {
    emit(record.slice(0, KEY_CHARS), record.slice(KEY_CHARS));
  },
  totalOrder: true,
});
