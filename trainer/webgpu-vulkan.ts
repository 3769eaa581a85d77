import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

/** One Vulkan driver manifest (ICD JSON): the file and the driver library it names. */
export interface VulkanManifest {
  path: string;
  /** ICD.library_path, or '' when the file is not a readable manifest. */
  library: string;
  /** NVIDIA's driver (nvidia_icd.json, libGLX_nvidia). */
  nvidia: boolean;
  /** A CPU implementation: lavapipe (lvp) or SwiftShader. */
  software: boolean;
}

/** What the Vulkan loader would find on this (Linux) machine; Dawn runs on Vulkan here. */
export interface VulkanFacts {
  /** Where libvulkan.so.1 (the Khronos loader) is, if anywhere. */
  loader: string | undefined;
  /** The variable that chose the manifests (VK_DRIVER_FILES, VK_ICD_FILENAMES), or undefined for the default folders. */
  manifestVariable: 'VK_DRIVER_FILES' | 'VK_ICD_FILENAMES' | undefined;
  manifests: VulkanManifest[];
  /** NVIDIA manifests in known places that the loader does not read now (containers mount the driver under /usr/local/nvidia). */
  unusedNvidiaManifests: string[];
  /** An NVIDIA GPU is visible (/dev/nvidia0 or /proc/driver/nvidia). */
  nvidiaDevice: boolean;
}

/**
 * The device nodes a hardware Vulkan driver opens: NVIDIA's /dev/nvidiaN, the DRM render nodes of
 * Mesa's drivers (/dev/dri/renderD*), WSL's /dev/dxg. None: no hardware adapter is possible here.
 */
export function gpuDeviceNodes(): string[] {
  const list = (folder: string, pattern: RegExp) => {
    try {
      return readdirSync(folder)
        .filter((name) => pattern.test(name))
        .map((name) => join(folder, name));
    } catch {
      return [];
    }
  };
  return [...list('/dev', /^(nvidia\d+|dxg)$/), ...list('/dev/dri', /^renderD\d+$/)];
}

/** Folders the loader searches for libvulkan.so.1 besides LD_LIBRARY_PATH and the ld.so cache. */
const LIBRARY_FOLDERS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

/** Where NVIDIA's manifest lies when the driver is mounted into a container, and where Debian/Ubuntu put it. */
const NVIDIA_MANIFESTS = [
  '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json',
  '/usr/local/nvidia/icd.d/nvidia_icd.json',
  '/usr/share/vulkan/icd.d/nvidia_icd.json',
  '/etc/vulkan/icd.d/nvidia_icd.json',
];

function findLoader(env: NodeJS.ProcessEnv): string | undefined {
  const folders = [...(env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean), ...LIBRARY_FOLDERS];
  for (const folder of folders) {
    const path = join(folder, 'libvulkan.so.1');
    if (existsSync(path)) return path;
  }
  try {
    if (readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1')) return 'libvulkan.so.1 (ld.so cache)';
  } catch {
    // No cache: the folders above were all there was.
  }
  return undefined;
}

/** The manifest folders the Vulkan loader reads when no variable names the files (its XDG search order). */
function defaultManifestFolders(env: NodeJS.ProcessEnv): string[] {
  const home = env['HOME'] ?? homedir();
  const config = [
    env['XDG_CONFIG_HOME'] ?? join(home, '.config'),
    ...(env['XDG_CONFIG_DIRS'] ?? '/etc/xdg').split(':'),
  ];
  const data = [
    env['XDG_DATA_HOME'] ?? join(home, '.local/share'),
    ...(env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':'),
  ];
  return [...config, '/etc', ...data].filter(Boolean).map((root) => join(root, 'vulkan/icd.d'));
}

function jsonFilesIn(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => join(path, name));
  } catch {
    return [];
  }
}

function readManifest(path: string): VulkanManifest {
  let library = '';
  try {
    const icd = (JSON.parse(readFileSync(path, 'utf8')) as { ICD?: { library_path?: unknown } }).ICD;
    if (typeof icd?.library_path === 'string') library = icd.library_path;
  } catch {
    // Unreadable or not JSON: reported with an empty library.
  }
  const names = `${basename(path)} ${basename(library)}`;
  return {
    path,
    library,
    nvidia: /nvidia/i.test(names),
    software: /lvp|lavapipe|swiftshader|swrast/i.test(names),
  };
}

/** Reads what the Vulkan loader would see: the loader library, the driver manifests, NVIDIA's device. */
export function probeVulkan(env: NodeJS.ProcessEnv = process.env): VulkanFacts {
  const variable = env['VK_DRIVER_FILES']
    ? 'VK_DRIVER_FILES'
    : env['VK_ICD_FILENAMES']
      ? 'VK_ICD_FILENAMES'
      : undefined;
  const sources = variable ? env[variable]!.split(':').filter(Boolean) : defaultManifestFolders(env);
  const paths = [...new Set(sources.flatMap(jsonFilesIn))].filter((path) => existsSync(path));
  const manifests = paths.map(readManifest);
  const used = new Set(paths);
  return {
    loader: findLoader(env),
    manifestVariable: variable,
    manifests,
    unusedNvidiaManifests: NVIDIA_MANIFESTS.filter((path) => !used.has(path) && existsSync(path)),
    nvidiaDevice: existsSync('/dev/nvidia0') || existsSync('/proc/driver/nvidia/version'),
  };
}
