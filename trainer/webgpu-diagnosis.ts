import type { GpuAdapterInfo } from './backend-info.js';
import type { VulkanFacts } from './webgpu-vulkan.js';

/** What loading Dawn and asking it for an adapter gave. */
export type DawnFacts =
  | { kind: 'not-installed' }
  | { kind: 'load-failed'; error: string }
  | { kind: 'no-adapter' }
  | { kind: 'adapter'; adapter: GpuAdapterInfo };

/** Everything the webgpu backend's availability depends on, probed once (see probeWebgpu). */
export interface WebgpuFacts {
  /** process.platform: Dawn runs on Vulkan on linux, Metal on darwin, D3D12 on win32. */
  platform: string;
  dawn: DawnFacts;
  /** Linux only. */
  vulkan: VulkanFacts | undefined;
  /** SLICEWATCH_WEBGPU_SOFTWARE=1: a software adapter (lavapipe) is accepted. */
  softwareAllowed: boolean;
}

/** Why a backend cannot be used here, and the exact step that fixes it. */
export interface Problem {
  reason: string;
  fix: string;
}

/** The environment variable that lets webgpu run on a software adapter (for tests; slow). */
export const WEBGPU_SOFTWARE_VARIABLE = 'SLICEWATCH_WEBGPU_SOFTWARE';

const SOFTWARE_VULKAN_FIX =
  "Dawn needs Mesa 25's lavapipe (Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers); Mesa 22 lacks shaderUniform*ArrayDynamicIndexing";

/** The fix when an NVIDIA GPU is here but the loader reads no NVIDIA manifest; undefined otherwise. */
export function nvidiaManifestFix(vulkan: VulkanFacts): string | undefined {
  if (vulkan.manifests.some((m) => m.nvidia)) return undefined;
  const found = vulkan.unusedNvidiaManifests[0];
  if (found !== undefined) return `set VK_DRIVER_FILES=${found} (the NVIDIA driver's Vulkan manifest)`;
  if (!vulkan.nvidiaDevice) return undefined;
  return "install the NVIDIA driver's Vulkan support (Ubuntu: libnvidia-gl-VERSION, the driver's version), or in a container set VK_DRIVER_FILES to the driver's nvidia_icd.json";
}

function describeManifests(vulkan: VulkanFacts): string {
  const where = vulkan.manifestVariable ? ` (from ${vulkan.manifestVariable})` : '';
  return `${vulkan.manifests.map((m) => m.path).join(', ')}${where}`;
}

/** Why Dawn gave no adapter, from what the Vulkan loader would see. */
function noAdapter(facts: WebgpuFacts): Problem {
  const { vulkan } = facts;
  if (vulkan === undefined) return { reason: 'Dawn found no GPU adapter', fix: 'update the GPU driver' };
  if (vulkan.loader === undefined)
    return {
      reason: 'no Vulkan loader (libvulkan.so.1) is installed',
      fix: 'install it: apt-get install libvulkan1 (Debian/Ubuntu), dnf install vulkan-loader (Fedora)',
    };
  const nvidia = nvidiaManifestFix(vulkan);
  if (vulkan.manifests.length === 0)
    return {
      reason: `no Vulkan driver manifest${vulkan.manifestVariable ? ` in ${vulkan.manifestVariable}` : ' (icd.d/*.json)'} was found`,
      fix:
        nvidia ??
        "install a GPU driver with Vulkan support (NVIDIA: the driver's Vulkan ICD, nvidia_icd.json), or set VK_DRIVER_FILES to its manifest",
    };
  if (vulkan.manifests.every((m) => m.software))
    return {
      reason: `Dawn accepted none of the Vulkan drivers ${describeManifests(vulkan)}, all software`,
      fix: nvidia ?? SOFTWARE_VULKAN_FIX,
    };
  return {
    reason: `Dawn found no adapter through the Vulkan drivers ${describeManifests(vulkan)}`,
    fix: nvidia ?? "check the driver with vulkaninfo --summary and read Dawn's warnings printed above",
  };
}

/**
 * Why the webgpu backend cannot run here and how to fix it, or undefined when it can: Dawn loads
 * and gives a hardware adapter (or a software one, when allowed). Pure: it only reads the facts.
 */
export function webgpuProblem(facts: WebgpuFacts): Problem | undefined {
  const { dawn } = facts;
  switch (dawn.kind) {
    case 'not-installed':
      return {
        reason: "the webgpu package (Dawn's Node binding) is not installed",
        fix: 'npm install webgpu@0.6.2 (an optional dependency: npm install without --omit=optional installs it)',
      };
    case 'load-failed':
      return {
        reason: `the webgpu package does not load: ${dawn.error}`,
        fix: `reinstall it (npm install webgpu@0.6.2); it ships dawn.node for linux-x64, linux-arm64, darwin and win32, and needs glibc 2.31 or newer`,
      };
    case 'no-adapter':
      return noAdapter(facts);
    case 'adapter': {
      const { adapter } = dawn;
      if (!adapter.software || facts.softwareAllowed) return undefined;
      const nvidia = facts.vulkan ? nvidiaManifestFix(facts.vulkan) : undefined;
      return {
        reason: `Dawn found only a software adapter, ${adapter.device} (${adapter.driver})`,
        fix:
          nvidia ?? `run on a machine with a GPU, or set ${WEBGPU_SOFTWARE_VARIABLE}=1 to compute on it anyway (slow)`,
      };
    }
    default: {
      const never: never = dawn;
      return never;
    }
  }
}
