/** Who submitted a job: the host name its client gave, and the address the master saw it call from. */
export interface Submitter {
  readonly host: string;
  readonly address: string;
}
