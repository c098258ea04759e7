/**
 * Job and task ids appear in file paths on workers, so every id that arrives in a request
 * is checked against this pattern first: letters, digits, '.', '_' and '-', not starting
 * with '.', at most 128 characters. That rules out '/', '..' and empty names.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** True when `id` is safe to use as one path component. */
export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** The id of the map task with this index, e.g. `map-00007`. */
export function mapTaskId(index: number): string {
  return `map-${String(index).padStart(5, '0')}`;
}

/** The id of the reduce task of this partition, e.g. `reduce-00002`. */
export function reduceTaskId(partition: number): string {
  return `reduce-${String(partition).padStart(5, '0')}`;
}
