import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports a config module: TypeScript through tsx's scoped `tsImport` (Node 22.12 strips types only behind a flag). */
export async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  if (['.ts', '.mts', '.cts'].includes(extname(file))) {
    const { tsImport } = await import('tsx/esm/api');
    return tsImport(url, import.meta.url);
  }
  return import(url);
}

/**
 * The module's default export. In a project without `"type": "module"` a TypeScript config is compiled as
 * CommonJS, and its `export default` arrives one level down (`{ default: { default: config } }`).
 */
export async function defaultExport(module: unknown): Promise<unknown> {
  const outer = await (module as { default?: unknown })?.default;
  if (typeof outer !== 'object' || outer === null) return outer;
  const keys = Object.keys(outer).filter((key) => key !== '__esModule');
  return keys.length === 1 && keys[0] === 'default' ? await (outer as { default: unknown }).default : outer;
}

/** Imports a module file and returns its default export (awaited; one level down for CommonJS-compiled TypeScript). */
export async function importDefault(file: string): Promise<unknown> {
  return defaultExport(await importModule(file));
}
