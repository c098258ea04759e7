import * as os from 'node:os';

/** The machine a run was measured on. */
export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1-minute load average at the start: other work on a shared machine skews results. */
  readonly loadAverage: number;
}

export function machineInfo(): MachineInfo {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The 1-, 5- and 15-minute load averages now. */
export function loadAverages(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** One line for the table's heading. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, node ${m.node}, ${m.os}, load ${m.loadAverage} at start`;
}
