/** Where a finished map task's output lives. */
export interface MapOutputRef {
  readonly workerId: string;
  readonly dataAddress: string;
  /** The committed attempt: its directory is jobs/<job>/<task>-a<attempt>. */
  readonly attempt: number;
  readonly dir: string;
  readonly offsets: readonly number[];
}

/** Where a finished reduce task's part file lives. */
export interface PartFileRef {
  readonly workerId: string;
  readonly dataAddress: string;
  /** The committed attempt. */
  readonly attempt: number;
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}
