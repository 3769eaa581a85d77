import { getKernel, type KernelBackend, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

/**
 * Calls other kernels of one backend from inside a kernel, keeping every intermediate so that
 * `finish` can free all but the result. Nested kernel calls are not recorded on the gradient tape.
 */
export class KernelCalls {
  private readonly intermediates: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs the kernel registered as `name`. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
    const kernel = getKernel(name, this.backendName);
    if (kernel === undefined) throw new Error(`kernel ${name} is not registered for backend ${this.backendName}`);
    return this.runKernel(kernel, inputs, attrs);
  }

  /** Runs a given kernel (one that ours replaced in the registry, say). */
  runKernel(kernel: KernelConfig, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
    this.intermediates.push(out);
    return out;
  }

  /** Frees every intermediate except `result`, and returns it. */
  finish(result: TensorInfo): TensorInfo {
    for (const t of this.intermediates) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}
