import { defineJob } from 'groove-mr';

/**
 * A reduce-side join of CSV inputs (reader `csv`: each file has a header row): users
 * (header `id,name`) and orders (header `user_id,amount`, integer amounts), told apart by
 * their columns, not by their file names, so any files and any number of each will do.
 * Gives `NAME<TAB>TOTAL` for every user with at least one order: the sum of their amounts.
 *
 *     mr run jobs/join.ts --input users.csv --input orders/
 *
 * Both sides are keyed by the user's id, so one reduce call sees a user's name and all
 * of their orders, tagged by side.
 */
type Side = readonly ['name', string] | readonly ['amount', number];

const INTEGER = /^\s*[+-]?\d+\s*$/;

export default defineJob<string, Side, string, number>({
  name: 'join',
  reader: 'csv',
  map(row, emit, ctx) {
    const { id, name, user_id: userId, amount } = row;
    if (id !== undefined && name !== undefined) {
      emit(id, ['name', name]);
    } else if (userId !== undefined && amount !== undefined) {
      if (!INTEGER.test(amount)) throw new Error(`${ctx.input}: amount ${JSON.stringify(amount)} is not an integer`);
      emit(userId, ['amount', Number(amount)]);
    } else {
      throw new Error(`${ctx.input}: neither a users file (id,name) nor an orders file (user_id,amount)`);
    }
  },
  reduce(_id, sides, emit) {
    let name: string | undefined;
    let total = 0;
    let orders = 0;
    for (const [side, value] of sides) {
      if (side === 'name') name = value;
      else {
        total += value;
        orders++;
      }
    }
    if (name !== undefined && orders > 0) emit(name, total);
  },
});
