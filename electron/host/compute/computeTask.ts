/**
 * A computation the compute pool runs in a worker thread, declared by the feature that owns it (the feature
 * folder's computeTasks.ts). The pool knows tasks only by name: a caller hands it the task, the pool sends the
 * name and the arguments, and the worker runs the code its registry (electron/host/computeTasks.ts) holds for that
 * name. The arguments and the result must be structured-clonable.
 */
export interface ComputeTask<Args extends unknown[], Result> {
  /** `folder.function`: unique among every feature's tasks. */
  readonly name: string;
  readonly run: (...args: Args) => Result | Promise<Result>;
}

/** Any task, as the worker's registry holds them. */
export type AnyComputeTask = ComputeTask<never, unknown>;

export function computeTask<Args extends unknown[], Result>(
  name: string,
  run: (...args: Args) => Result,
): ComputeTask<Args, Awaited<Result>> {
  return { name, run: run as (...args: Args) => Awaited<Result> };
}

/** The worker's lookup from a task's name to its code; two tasks under one name are refused. */
export function computeTaskRegistry(tasks: readonly AnyComputeTask[]): ReadonlyMap<string, AnyComputeTask> {
  const registry = new Map<string, AnyComputeTask>();
  for (const task of tasks) {
    if (registry.has(task.name)) throw new Error(`Two compute tasks are named ${task.name}.`);
    registry.set(task.name, task);
  }
  return registry;
}
