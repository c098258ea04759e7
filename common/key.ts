/**
 * A key: strings, numbers, booleans, null, and arrays of these (tuples), nested.
 *
 * Keys have one total order (see compareKeys in proto/formats) and an encoding whose bytes sort in
 * that order (see encodeKey in proto/formats), so sorting and merging compare raw bytes and never
 * decode a key.
 */
export type Key = null | boolean | number | string | readonly Key[];
